import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiQuery,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import { GetBillingRunUseCase, ListBillingRunsUseCase, StartBillingRunUseCase } from '@cec/billing-application';
import { StartBillingRunDto } from './billing.dto';
import { BillingRunView, runView } from './views';

@ApiTags('billing runs')
@ApiBearerAuth()
@Controller('v1/billing-runs')
export class BillingRunsController {
  constructor(
    private readonly startRun: StartBillingRunUseCase,
    private readonly getRun: GetBillingRunUseCase,
    private readonly listRuns: ListBillingRunsUseCase,
  ) {}

  @Post()
  @HttpCode(202)
  @ApiAcceptedResponse({
    type: BillingRunView,
    description: 'R7.2: starts or repeats the run of an ended month; bills only accounts not yet billed. While a run of the month is running, that run is returned.',
  })
  @ApiConflictResponse({ description: 'PERIOD_NOT_ENDED' })
  @ApiServiceUnavailableResponse({
    description: "ACCOUNTS_NOT_CAUGHT_UP (#9.4): billing's consumer of subscription.account.created still has messages pending; nothing changed, try again shortly",
  })
  async start(@Body() body: StartBillingRunDto): Promise<BillingRunView> {
    return runView((await this.startRun.execute({ period: body?.period, trigger: 'operator' })).run);
  }

  @Get()
  @ApiQuery({ name: 'period', required: false, example: '2026-04' })
  @ApiOkResponse({ type: [BillingRunView], description: 'newest first' })
  async list(@Query('period') period?: string): Promise<BillingRunView[]> {
    return (await this.listRuns.execute(period)).map(runView);
  }

  @Get(':id')
  @ApiOkResponse({ type: BillingRunView })
  @ApiNotFoundResponse({ description: 'BILLING_RUN_NOT_FOUND' })
  async get(@Param('id') id: string): Promise<BillingRunView> {
    return runView(await this.getRun.execute(id));
  }
}
