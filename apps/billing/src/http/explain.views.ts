import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { billingCalendar } from '@cec/kernel';
import type { BillExplanation, ExplainedBillLine, UpcomingBill } from '@cec/billing-application';
import { BillLineView } from './views';

// Issue 10: the upcoming bill and the explanation of a bill. Money as strings with two decimals;
// exact (unrounded) figures as decimal strings.

export class UpcomingBillView {
  @ApiProperty() accountId!: string;
  @ApiProperty({ example: '2026-05' }) period!: string;
  @ApiProperty({ example: 'USD' }) currency!: string;
  @ApiProperty({ description: 'when it was drafted (UTC+8)' }) asOf!: string;
  @ApiProperty({
    example: '2026-05-17',
    description: 'the last day counted: today (UTC+8) for the running month (later days count 0, R4.1), else the last day of the month',
  })
  countedThrough!: string;
  @ApiProperty({ description: 'true for the running month (the figure grows until the month ends)' }) running!: boolean;
  @ApiProperty({ example: '212.50', description: 'what the run would bill now (R4.5): the sum of the lines' }) total!: string;
  @ApiProperty({ type: [BillLineView], description: 'usage lines (R4), then adjustments of earlier months for late usage (R6.2), as the run would issue them' })
  lines!: BillLineView[];
}

export function upcomingBillView(bill: UpcomingBill): UpcomingBillView {
  return {
    accountId: bill.accountId,
    period: bill.period.toString(),
    currency: bill.currency,
    asOf: billingCalendar.formatInstant(bill.asOf),
    countedThrough: bill.countedThrough,
    running: bill.running,
    total: bill.total.toString(),
    lines: bill.lines.map((line) => ({
      kind: line.kind,
      subscriptionId: line.subscriptionId,
      productCode: line.productCode ?? '',
      forPeriod: line.forPeriod.toString(),
      quantityDays: line.quantityDays,
      daysInPeriod: line.daysInPeriod,
      listAmount: line.listAmount.toString(),
      discountAmount: line.discountAmount.toString(),
      amount: line.amount.toString(),
    })),
  };
}

export class DateRangeView {
  @ApiProperty({ example: '2026-04-01' }) from!: string;
  @ApiProperty({ example: '2026-04-10' }) to!: string;
}

export class ExplainedGroupView {
  @ApiProperty({ example: '2026-04-01', description: 'first day of the group' }) fromDate!: string;
  @ApiProperty({ example: '2026-04-10', description: 'last day of the group (the days between may belong to other groups: see dates)' }) toDate!: string;
  @ApiProperty({ type: [DateRangeView], description: 'the runs of consecutive days of the group' }) dates!: DateRangeView[];
  @ApiProperty({ example: 10 }) days!: number;
  @ApiProperty({ example: 5, description: 'q(d) of R4.1' }) quantity!: number;
  @ApiProperty({ example: 'basic-cec', description: 'the product whose price applies those days' }) productCode!: string;
  @ApiProperty({ example: '50', description: 'p(d): the price version in force (R1.3)' }) unitPrice!: string;
  @ApiProperty({ example: '0.15', description: 'r(d) of R5' }) discountRate!: string;
  @ApiProperty({ example: 50, description: 'quantity × days' }) quantityDays!: number;
  @ApiProperty({ example: '2500', description: 'quantityDays × unitPrice, exact' }) listSum!: string;
  @ApiProperty({ example: '2125', description: 'listSum × (1 − discountRate), exact' }) netSum!: string;
  @ApiProperty({ example: '83.333333333333333333', description: 'listSum / daysInPeriod, unrounded (60 significant digits)' }) listAmount!: string;
  @ApiProperty({ example: '70.833333333333333333', description: 'netSum / daysInPeriod, unrounded (60 significant digits)' }) netAmount!: string;
}

export class BilledBeforeView {
  @ApiProperty() quantityDays!: number;
  @ApiProperty({ example: '250.00' }) listAmount!: string;
  @ApiProperty({ example: '37.50' }) discountAmount!: string;
  @ApiProperty({ example: '212.50' }) amount!: string;
}

export class ExplainedLineView {
  @ApiProperty({ description: 'the line position in the bill (1-based)' }) position!: number;
  @ApiProperty({ enum: ['usage', 'adjustment'] }) kind!: string;
  @ApiProperty() subscriptionId!: string;
  @ApiProperty() productCode!: string;
  @ApiProperty({ example: '2026-04' }) forPeriod!: string;
  @ApiProperty({ example: 30 }) daysInPeriod!: number;
  @ApiProperty({ type: [ExplainedGroupView], description: 'days grouped by (quantity, product, unit price, discount rate), in order of their first day' })
  groups!: ExplainedGroupView[];
  @ApiProperty({ description: 'Σ quantityDays of the groups' }) ratedQuantityDays!: number;
  @ApiProperty({ example: '2500', description: 'Σ listSum of the groups (exact)' }) listSum!: string;
  @ApiProperty({ example: '2125', description: 'Σ netSum of the groups (exact)' }) netSum!: string;
  @ApiProperty({ example: '83.3333333333', description: 'listSum / daysInPeriod (R4.3), unrounded' }) listExact!: string;
  @ApiProperty({ example: '70.8333333333', description: 'netSum / daysInPeriod, unrounded' }) netExact!: string;
  @ApiProperty({ example: '83.33', description: 'listExact rounded once to cents, half away from zero (R4.4)' }) ratedListAmount!: string;
  @ApiProperty({ example: '70.83', description: 'netExact rounded likewise' }) ratedAmount!: string;
  @ApiPropertyOptional({ type: BilledBeforeView, description: 'adjustments (R6.2): what was billed for the month before; the line is rated minus billed' })
  billedBefore?: BilledBeforeView;
  @ApiProperty({ description: 'the stored line' }) quantityDays!: number;
  @ApiProperty({ example: '83.33', description: 'the stored line' }) listAmount!: string;
  @ApiProperty({ example: '12.50', description: 'the stored line' }) discountAmount!: string;
  @ApiProperty({ example: '70.83', description: 'the stored line' }) amount!: string;
  @ApiProperty({ description: 'true when the figures derived from the kept inputs equal the stored line' }) matches!: boolean;
}

export class BillExplanationView {
  @ApiProperty() billId!: string;
  @ApiProperty() accountId!: string;
  @ApiProperty({ example: '2026-04' }) period!: string;
  @ApiProperty({ example: 'USD' }) currency!: string;
  @ApiProperty({ example: '212.50', description: 'the stored total: the sum of the lines amounts (R4.5)' }) total!: string;
  @ApiProperty({ type: [ExplainedLineView] }) lines!: ExplainedLineView[];
}

function lineView(entry: ExplainedBillLine, position: number): ExplainedLineView {
  const { line, input, explained } = entry;
  const listSum = explained.groups.reduce((sum, group) => sum.plus(group.listSum), explained.listExact.times(0));
  const netSum = explained.groups.reduce((sum, group) => sum.plus(group.netSum), explained.listExact.times(0));
  return {
    position,
    kind: line.kind,
    subscriptionId: line.subscriptionId,
    productCode: line.productCode,
    forPeriod: line.forPeriod,
    daysInPeriod: input.daysInPeriod,
    groups: explained.groups.map((group) => ({
      fromDate: group.dates[0].from,
      toDate: group.dates[group.dates.length - 1].to,
      dates: group.dates.map((range) => ({ from: range.from, to: range.to })),
      days: group.days,
      quantity: group.quantity,
      productCode: group.productCode,
      unitPrice: group.unitPrice.toString(),
      discountRate: group.discountRate.toString(),
      quantityDays: group.quantityDays,
      listSum: group.listSum.toString(),
      netSum: group.netSum.toString(),
      listAmount: group.listSum.dividedBy(input.daysInPeriod).toString(),
      netAmount: group.netSum.dividedBy(input.daysInPeriod).toString(),
    })),
    ratedQuantityDays: explained.quantityDays,
    listSum: listSum.toString(),
    netSum: netSum.toString(),
    listExact: explained.listExact.toString(),
    netExact: explained.netExact.toString(),
    ratedListAmount: explained.listAmount.toString(),
    ratedAmount: explained.amount.toString(),
    ...(input.billed ? { billedBefore: { ...input.billed } } : {}),
    quantityDays: line.quantityDays,
    listAmount: line.listAmount.toString(),
    discountAmount: line.discountAmount.toString(),
    amount: line.amount.toString(),
    matches: entry.matches,
  };
}

export function billExplanationView(explanation: BillExplanation): BillExplanationView {
  const { bill } = explanation;
  return {
    billId: bill.id,
    accountId: bill.accountId,
    period: bill.period,
    currency: bill.currency,
    total: bill.total.toString(),
    lines: explanation.lines.map((entry, index) => lineView(entry, index + 1)),
  };
}
