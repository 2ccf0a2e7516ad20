import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { billingCalendar } from '@cec/kernel';
import type {
  GuardedBalance,
  BillingRunView as RunData,
  BillView as BillData,
  LedgerEntryView,
  RunFailureView as RunFailureData,
  StoredDiscount,
} from '@cec/billing-application';

// Response views: money as strings with two decimals, instants ISO-8601 with offset (UTC+8).

export class DiscountView {
  @ApiProperty() id!: string;
  @ApiProperty() accountId!: string;
  @ApiProperty({ nullable: true, type: String, description: 'null: all products of the account' }) productCode!: string | null;
  @ApiProperty({ example: '0.15' }) rate!: string;
  @ApiProperty({ example: '2026-04-01' }) effectiveFrom!: string;
  @ApiProperty({ nullable: true, type: String, example: null }) effectiveTo!: string | null;
  @ApiProperty() createdAt!: string;
}

export function discountView(discount: StoredDiscount): DiscountView {
  return {
    id: discount.id,
    accountId: discount.accountId,
    productCode: discount.productCode,
    rate: discount.rate.toString(),
    effectiveFrom: discount.effectiveFrom,
    effectiveTo: discount.effectiveTo,
    createdAt: billingCalendar.formatInstant(discount.createdAt),
  };
}

export class BalanceView {
  @ApiProperty() accountId!: string;
  @ApiProperty({ example: 'USD' }) currency!: string;
  @ApiProperty({ example: '30.00' }) balance!: string;
  @ApiProperty({ example: '0.00' }) outstanding!: string;
  @ApiProperty({ enum: ['active', 'in_arrears'] }) status!: string;
  @ApiProperty({
    example: '12.50',
    description: "issue 10: the running month's accrued net charge so far (UTC+8 days up to and including today, discounts applied); \"0.00\" when none",
  })
  accruedThisPeriod!: string;
  @ApiProperty({
    example: '0.00',
    description:
      'issue 10: the month before the running one, rated in full, while its bill is not yet deducted ' +
      '(from 00:00 on the 1st until the run bills the account); "0.00" otherwise',
  })
  accruedUnbilled!: string;
  @ApiProperty({
    example: '17.50',
    description:
      'issue 10: balance - accruedThisPeriod - accruedUnbilled (what is left if the month ended now; outstanding is separate)',
  })
  projectedBalance!: string;
  @ApiProperty({ example: '100.00', nullable: true, type: String, description: 'issue 10: the low-balance threshold, null when none is set' })
  lowBalanceThreshold!: string | null;
  @ApiProperty({ enum: ['ok', 'low', 'exhausted'], description: 'issue 10: the prepaid guard (projectedBalance below the threshold: low; <= 0: exhausted)' })
  guardState!: string;
}

export function balanceView(snapshot: GuardedBalance): BalanceView {
  return {
    accountId: snapshot.accountId,
    currency: snapshot.currency,
    balance: snapshot.balance.toString(),
    outstanding: snapshot.outstanding.toString(),
    status: snapshot.status,
    accruedThisPeriod: snapshot.accruedThisPeriod.toString(),
    accruedUnbilled: snapshot.accruedUnbilled.toString(),
    projectedBalance: snapshot.projectedBalance.toString(),
    lowBalanceThreshold: snapshot.lowBalanceThreshold?.toString() ?? null,
    guardState: snapshot.guardState,
  };
}

export class BalanceThresholdView {
  @ApiProperty() accountId!: string;
  @ApiProperty({ example: '100.00', nullable: true, type: String }) lowBalance!: string | null;
  @ApiProperty({ enum: ['ok', 'low', 'exhausted'] }) guardState!: string;
}

export class LedgerEntryViewDto {
  @ApiProperty() id!: string;
  @ApiProperty({ enum: ['top_up', 'deduction', 'settlement', 'adjustment'] }) type!: string;
  @ApiProperty({ example: '-100.00', description: 'signed: credits positive, debits negative' }) amount!: string;
  @ApiProperty({ example: '0.00' }) balanceAfter!: string;
  @ApiPropertyOptional() billId?: string;
  @ApiPropertyOptional() reference?: string;
  @ApiProperty() createdAt!: string;
}

export function ledgerView(entry: LedgerEntryView): LedgerEntryViewDto {
  return {
    id: entry.id,
    type: entry.type,
    amount: entry.amount.toString(),
    balanceAfter: entry.balanceAfter.toString(),
    ...(entry.billId ? { billId: entry.billId } : {}),
    ...(entry.reference ? { reference: entry.reference } : {}),
    createdAt: billingCalendar.formatInstant(entry.createdAt),
  };
}

export class BillingRunView {
  @ApiProperty() id!: string;
  @ApiProperty({ example: '2026-04' }) period!: string;
  @ApiProperty({
    enum: ['running', 'completed', 'completed_with_failures', 'cancelled', 'failed'],
    description: 'a run always ends: completed, completed_with_failures (see accountsFailed and /failures) or cancelled; failed: runs of older versions only',
  })
  status!: string;
  @ApiProperty({ enum: ['schedule', 'operator'] }) trigger!: string;
  @ApiProperty({ description: 'n-th run of this period' }) attempt!: number;
  @ApiProperty({ description: 'accounts this run planned (those not yet billed for the period when it started)' }) accountsTotal!: number;
  @ApiProperty({ description: 'accounts this run has processed so far (billed, or nothing to bill)' }) accountsProcessed!: number;
  @ApiProperty({ description: 'accounts this run issued a bill to' }) accountsBilled!: number;
  @ApiProperty({ description: 'bills this run issued (one per account and period)' }) billsIssued!: number;
  @ApiProperty({ example: '250.00', description: 'sum of the totals of the bills this run issued' }) total!: string;
  @ApiProperty() jobsTotal!: number;
  @ApiProperty() jobsDone!: number;
  @ApiProperty({ description: 'jobs that finished with failed accounts' }) jobsFailed!: number;
  @ApiProperty({ description: 'accounts this run could not bill (listed by GET /v1/billing-runs/:id/failures)' }) accountsFailed!: number;
  @ApiProperty({ nullable: true, type: String }) error!: string | null;
  @ApiProperty() startedAt!: string;
  @ApiProperty({ nullable: true, type: String }) finishedAt!: string | null;
  // issue 10: progress (accountsPlanned = accountsProcessed + accountsFailed + accountsSkipped + accountsRemaining)
  @ApiProperty({ description: 'accounts the run planned (= accountsTotal)' }) accountsPlanned!: number;
  @ApiProperty({ description: 'accounts still to do while the run runs; 0 once it has ended' }) accountsRemaining!: number;
  @ApiProperty({ description: 'planned accounts not processed by this run and never to be: processed by another run meanwhile, or left by a cancel' })
  accountsSkipped!: number;
  @ApiProperty({ example: 420.5, description: 'accounts processed per second over the last windowSeconds (database time, all replicas)' }) ratePerSecond!: number;
  @ApiProperty({ example: 30, description: 'the window of ratePerSecond, in seconds (at most 30; shorter early in a run)' }) windowSeconds!: number;
  @ApiProperty({
    nullable: true,
    type: String,
    example: '2026-05-01T00:03:10+08:00',
    description: 'estimated completion (now + accountsRemaining / ratePerSecond), UTC+8; null when the run has ended or no rate is known yet',
  })
  estimatedCompletionAt!: string | null;
}

export function runView(run: RunData): BillingRunView {
  const progress = run.progress;
  const remaining = progress?.accountsRemaining ?? (run.status === 'running' ? Math.max(0, run.accountsTotal - run.accountsProcessed - run.accountsFailed) : 0);
  return {
    id: run.id,
    period: run.period,
    status: run.status,
    trigger: run.trigger,
    attempt: run.attempt,
    accountsTotal: run.accountsTotal,
    accountsProcessed: run.accountsProcessed,
    accountsBilled: run.accountsBilled,
    billsIssued: run.billsIssued,
    total: run.total.toString(),
    jobsTotal: run.jobsTotal,
    jobsDone: run.jobsDone,
    jobsFailed: run.jobsFailed,
    accountsFailed: run.accountsFailed,
    error: run.error,
    startedAt: billingCalendar.formatInstant(run.startedAt),
    finishedAt: run.finishedAt ? billingCalendar.formatInstant(run.finishedAt) : null,
    accountsPlanned: run.accountsTotal,
    accountsRemaining: remaining,
    accountsSkipped: progress?.accountsSkipped ?? Math.max(0, run.accountsTotal - run.accountsProcessed - run.accountsFailed - remaining),
    ratePerSecond: progress?.ratePerSecond ?? 0,
    windowSeconds: progress?.windowSeconds ?? 0,
    estimatedCompletionAt: progress?.estimatedCompletionAt ? billingCalendar.formatInstant(progress.estimatedCompletionAt) : null,
  };
}

export class BillingRunFailureView {
  @ApiProperty() accountId!: string;
  @ApiProperty({ example: 'PRICE_NOT_FOUND', description: 'machine code of the failure (e.g. CATALOG_UNAVAILABLE, NUMERIC_OVERFLOW)' }) code!: string;
  @ApiProperty() message!: string;
  @ApiProperty({ description: 'deliveries of the job that gave up on the account' }) attempts!: number;
  @ApiProperty() failedAt!: string;
}

export function runFailureView(failure: RunFailureData): BillingRunFailureView {
  return {
    accountId: failure.accountId,
    code: failure.code,
    message: failure.message,
    attempts: failure.attempts,
    failedAt: billingCalendar.formatInstant(failure.failedAt),
  };
}

export class BillLineView {
  @ApiProperty({ enum: ['usage', 'adjustment'] }) kind!: string;
  @ApiProperty() subscriptionId!: string;
  @ApiProperty({
    example: 'professional-cec',
    description: 'the product the subscription held last in the month with a quantity above 0, by time (after an edition change, the edition held at the end of the period; #9.8). Amounts follow R4.2 day by day',
  })
  productCode!: string;
  @ApiProperty({ example: '2026-04', description: 'the month the line charges or corrects' }) forPeriod!: string;
  @ApiProperty({ example: 150 }) quantityDays!: number;
  @ApiProperty({ example: 30 }) daysInPeriod!: number;
  @ApiProperty({ example: '250.00' }) listAmount!: string;
  @ApiProperty({ example: '37.50' }) discountAmount!: string;
  @ApiProperty({ example: '212.50' }) amount!: string;
}

export class BillViewDto {
  @ApiProperty() id!: string;
  @ApiProperty() accountId!: string;
  @ApiProperty({ example: '2026-04' }) period!: string;
  @ApiProperty({ example: 'USD' }) currency!: string;
  @ApiProperty({ example: '212.50' }) total!: string;
  @ApiProperty({ example: '100.00' }) paidAmount!: string;
  @ApiProperty({ example: '112.50' }) outstandingAmount!: string;
  @ApiProperty({ enum: ['paid', 'partially_paid', 'unpaid'] }) status!: string;
  @ApiProperty() issuedAt!: string;
  @ApiProperty({ nullable: true, type: String }) runId!: string | null;
  @ApiProperty({ type: [BillLineView] }) lines!: BillLineView[];
}

export function billView(bill: BillData): BillViewDto {
  return {
    id: bill.id,
    accountId: bill.accountId,
    period: bill.period,
    currency: bill.currency,
    total: bill.total.toString(),
    paidAmount: bill.paidAmount.toString(),
    outstandingAmount: bill.outstandingAmount.toString(),
    status: bill.status,
    issuedAt: billingCalendar.formatInstant(bill.issuedAt),
    runId: bill.runId,
    lines: bill.lines.map((line) => ({
      kind: line.kind,
      subscriptionId: line.subscriptionId,
      productCode: line.productCode,
      forPeriod: line.forPeriod,
      quantityDays: line.quantityDays,
      daysInPeriod: line.daysInPeriod,
      listAmount: line.listAmount.toString(),
      discountAmount: line.discountAmount.toString(),
      amount: line.amount.toString(),
    })),
  };
}

export class SettlementViewDto {
  @ApiProperty() billId!: string;
  @ApiProperty({ example: '170.00' }) amount!: string;
  @ApiProperty({ example: '0.00' }) outstandingAfter!: string;
  @ApiProperty({ enum: ['paid', 'partially_paid'] }) status!: string;
}

export class TopUpView {
  @ApiProperty() accountId!: string;
  @ApiProperty() reference!: string;
  @ApiProperty({ example: '200.00' }) amount!: string;
  @ApiProperty({ example: 'USD' }) currency!: string;
  @ApiProperty({ example: '30.00', description: 'balance after the top-up and its settlements' }) balance!: string;
  @ApiProperty({ example: '0.00' }) outstanding!: string;
  @ApiProperty({ enum: ['active', 'in_arrears'] }) status!: string;
  @ApiProperty({ type: [SettlementViewDto] }) settlements!: SettlementViewDto[];
  @ApiProperty() createdAt!: string;
}
