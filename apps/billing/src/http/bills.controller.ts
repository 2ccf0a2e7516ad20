import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiNotFoundResponse, ApiOkResponse, ApiQuery, ApiTags } from '@nestjs/swagger';
import { GetBillUseCase, ListBillsUseCase } from '@cec/billing-application';
import { BillViewDto, billView } from './views';

@ApiTags('bills')
@ApiBearerAuth()
@Controller('v1/bills')
export class BillsController {
  constructor(
    private readonly getBill: GetBillUseCase,
    private readonly listBills: ListBillsUseCase,
  ) {}

  @Get()
  @ApiQuery({ name: 'accountId', required: false })
  @ApiQuery({ name: 'period', required: false, example: '2026-04' })
  @ApiOkResponse({ type: [BillViewDto], description: 'newest first (at most 1000)' })
  @ApiNotFoundResponse({ description: 'ACCOUNT_NOT_FOUND' })
  async list(@Query('accountId') accountId?: string, @Query('period') period?: string): Promise<BillViewDto[]> {
    return (await this.listBills.execute({ accountId, period })).map(billView);
  }

  @Get(':id')
  @ApiOkResponse({ type: BillViewDto })
  @ApiNotFoundResponse({ description: 'BILL_NOT_FOUND' })
  async get(@Param('id') id: string): Promise<BillViewDto> {
    return billView(await this.getBill.execute(id));
  }
}
