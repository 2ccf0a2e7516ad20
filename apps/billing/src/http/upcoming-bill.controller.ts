import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiConflictResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { GetUpcomingBillUseCase } from '@cec/billing-application';
import { IdParamsDto } from './billing.dto';
import { UpcomingBillQueryDto } from './explain.dto';
import { UpcomingBillView, upcomingBillView } from './explain.views';

/** Issue 10: what an account would be billed if the month ended now (nothing stored). */
@ApiTags('accounts')
@ApiBearerAuth()
@ApiBadRequestResponse({ description: 'VALIDATION_FAILED: a query or path parameter broke its schema; the message names the field' })
@Controller('v1/accounts')
export class UpcomingBillController {
  constructor(private readonly upcoming: GetUpcomingBillUseCase) {}

  @Get(':id/upcoming-bill')
  @ApiOkResponse({
    type: UpcomingBillView,
    description:
      'the lines and total the account would be billed for the month if it ended now: the run\'s own drafting (usage from metering, catalog prices, discounts, pure rating R4/R5, late-usage adjustments R6.2); for the running month the days up to and including today (UTC+8) count, later days 0. Nothing is stored.',
  })
  @ApiNotFoundResponse({ description: 'ACCOUNT_NOT_FOUND' })
  @ApiConflictResponse({
    description: 'PERIOD_ALREADY_BILLED (read the bill), PERIOD_NOT_STARTED (a month after the running one), PRICE_NOT_FOUND or BILL_NOT_RATABLE (the run would fail the account too)',
  })
  async get(@Param() { id }: IdParamsDto, @Query() { period }: UpcomingBillQueryDto): Promise<UpcomingBillView> {
    return upcomingBillView(await this.upcoming.execute({ accountId: id, ...(period ? { period } : {}) }));
  }
}
