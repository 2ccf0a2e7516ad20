import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { GetBillUseCase, ListBillsUseCase } from '@cec/billing-application';
import { IdParamsDto, ListBillsQueryDto } from './billing.dto';
import { BillViewDto, billView } from './views';

@ApiTags('bills')
@ApiBearerAuth()
@ApiBadRequestResponse({ description: 'VALIDATION_FAILED: a body, query or path parameter broke its schema; the message names the field' })
@Controller('v1/bills')
export class BillsController {
  constructor(
    private readonly getBill: GetBillUseCase,
    private readonly listBills: ListBillsUseCase,
  ) {}

  @Get()
  @ApiOkResponse({ type: [BillViewDto], description: 'newest first (at most 1000)' })
  @ApiNotFoundResponse({ description: 'ACCOUNT_NOT_FOUND' })
  async list(@Query() { accountId, period }: ListBillsQueryDto): Promise<BillViewDto[]> {
    return (await this.listBills.execute({ accountId, period })).map(billView);
  }

  @Get(':id')
  @ApiOkResponse({ type: BillViewDto })
  @ApiNotFoundResponse({ description: 'BILL_NOT_FOUND' })
  async get(@Param() { id }: IdParamsDto): Promise<BillViewDto> {
    return billView(await this.getBill.execute(id));
  }
}
