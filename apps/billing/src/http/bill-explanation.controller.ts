import { Controller, Get, Param } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { GetBillExplanationUseCase } from '@cec/billing-application';
import { IdParamsDto } from './billing.dto';
import { BillExplanationView, billExplanationView } from './explain.views';

/** Issue 10: where every cent of a bill comes from, from the inputs kept with it. */
@ApiTags('bills')
@ApiBearerAuth()
@ApiBadRequestResponse({ description: 'VALIDATION_FAILED: the path parameter broke its schema' })
@Controller('v1/bills')
export class BillExplanationController {
  constructor(private readonly explain: GetBillExplanationUseCase) {}

  @Get(':id/explanation')
  @ApiOkResponse({
    type: BillExplanationView,
    description:
      'per line, the days grouped by (quantity, product, unit price, discount rate) with exact partial sums: Σ listSum / daysInPeriod is the line\'s unrounded list amount, rounded once (R4.4) to the stored amount (adjustments: minus what was billed before, R6.2)',
  })
  @ApiNotFoundResponse({ description: 'BILL_NOT_FOUND, or BILL_INPUT_NOT_KEPT (a bill issued before bills kept their inputs)' })
  async get(@Param() { id }: IdParamsDto): Promise<BillExplanationView> {
    return billExplanationView(await this.explain.execute(id));
  }
}
