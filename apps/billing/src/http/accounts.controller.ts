import { Body, Controller, Get, Param, Post, Put, Res } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiConflictResponse, ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { BalanceThresholdUseCase, GetGuardedBalanceUseCase, GetLedgerUseCase, ListDiscountsUseCase, TopUpAnswer, TopUpUseCase } from '@cec/billing-application';
import { BalanceThresholdDto, IdParamsDto, TopUpDto } from './billing.dto';
import { BalanceThresholdView, BalanceView, balanceView, DiscountView, discountView, LedgerEntryViewDto, ledgerView, TopUpView } from './views';

@ApiTags('accounts')
@ApiBearerAuth()
@ApiBadRequestResponse({ description: 'VALIDATION_FAILED: a body, query or path parameter broke its schema; the message names the field' })
@Controller('v1/accounts')
export class AccountsController {
  constructor(
    private readonly balance: GetGuardedBalanceUseCase,
    private readonly ledger: GetLedgerUseCase,
    private readonly topUps: TopUpUseCase,
    private readonly discounts: ListDiscountsUseCase,
    private readonly thresholds: BalanceThresholdUseCase,
  ) {}

  @Get(':id/balance')
  @ApiOkResponse({
    type: BalanceView,
    description:
      'R7.4/R7.6: balance, what is outstanding, and the account status; issue 10: the running month\'s accrued charge, ' +
      'the ended month not yet billed (accruedUnbilled), projectedBalance = balance - accruedThisPeriod - accruedUnbilled, ' +
      'the low-balance threshold and the guard state',
  })
  @ApiNotFoundResponse({ description: 'ACCOUNT_NOT_FOUND' })
  async getBalance(@Param() { id }: IdParamsDto): Promise<BalanceView> {
    return balanceView(await this.balance.execute(id));
  }

  @Put(':id/balance-threshold')
  @ApiOkResponse({
    type: BalanceThresholdView,
    description:
      'issue 10: sets the low-balance threshold; projectedBalance falling below it publishes billing.account.balance_low, ' +
      'reaching 0.00 billing.account.balance_exhausted, once per crossing (re-armed when it rises above again)',
  })
  @ApiNotFoundResponse({ description: 'ACCOUNT_NOT_FOUND' })
  setBalanceThreshold(@Param() { id }: IdParamsDto, @Body() body: BalanceThresholdDto): Promise<BalanceThresholdView> {
    return this.thresholds.set(id, body);
  }

  @Get(':id/balance-threshold')
  @ApiOkResponse({ type: BalanceThresholdView, description: 'issue 10: the low-balance threshold (null: none) and the guard state' })
  @ApiNotFoundResponse({ description: 'ACCOUNT_NOT_FOUND' })
  getBalanceThreshold(@Param() { id }: IdParamsDto): Promise<BalanceThresholdView> {
    return this.thresholds.get(id);
  }

  @Get(':id/ledger')
  @ApiOkResponse({ type: [LedgerEntryViewDto], description: 'R7.6: every balance change, oldest first' })
  @ApiNotFoundResponse({ description: 'ACCOUNT_NOT_FOUND' })
  async getLedger(@Param() { id }: IdParamsDto): Promise<LedgerEntryViewDto[]> {
    return (await this.ledger.execute(id)).map(ledgerView);
  }

  @Post(':id/top-ups')
  @ApiCreatedResponse({ type: TopUpView, description: 'R7.5: credited, then outstanding bills settled oldest first' })
  @ApiOkResponse({ type: TopUpView, description: 'the same reference again: the first answer, nothing changed' })
  @ApiNotFoundResponse({ description: 'ACCOUNT_NOT_FOUND' })
  @ApiConflictResponse({ description: 'TOP_UP_REFERENCE_CONFLICT: the reference was used with another amount' })
  async topUp(@Param() { id }: IdParamsDto, @Body() body: TopUpDto, @Res({ passthrough: true }) response: Response): Promise<TopUpAnswer> {
    const { created, answer } = await this.topUps.execute(id, body);
    response.status(created ? 201 : 200);
    return answer;
  }

  @Get(':id/discounts')
  @ApiOkResponse({ type: [DiscountView] })
  @ApiNotFoundResponse({ description: 'ACCOUNT_NOT_FOUND' })
  async listDiscounts(@Param() { id }: IdParamsDto): Promise<DiscountView[]> {
    return (await this.discounts.execute(id)).map(discountView);
  }
}
