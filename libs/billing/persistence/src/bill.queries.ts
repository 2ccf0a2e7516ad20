import { EntityManager } from '@mikro-orm/postgresql';
import { Currency, Money, Period } from '@cec/kernel';
import type { BillStatus } from '@cec/billing-domain';
import type { BillLineView, BillQueries, BillView } from '@cec/billing-application';
import { rows, textArray, toDateTime } from './sql';

interface BillRow {
  id: string;
  account_id: string;
  period: string;
  run_id: string | null;
  currency: string;
  total: string;
  paid_amount: string;
  outstanding_amount: string;
  status: BillStatus;
  issued_at: Date;
}

interface LineRow {
  bill_id: string;
  kind: 'usage' | 'adjustment';
  subscription_id: string;
  product_code: string;
  for_period: string;
  /** bigint: pg hands it over as a string (#8.5) */
  quantity_days: string;
  days_in_period: number;
  list_amount: string;
  discount_amount: string;
  amount: string;
}

const BILL_COLUMNS = '"id", "account_id", "period", "run_id", "currency", "total"::text, "paid_amount"::text, "outstanding_amount"::text, "status", "issued_at"';

/** Reads of issued bills with their lines (two queries, whatever the number of bills). */
export class SqlBillQueries implements BillQueries {
  constructor(private readonly em: EntityManager) {}

  async find(billId: string): Promise<BillView | null> {
    const list = await rows<BillRow>(this.em.getKnex(), `select ${BILL_COLUMNS} from "bill" where "id" = ?`, [billId]);
    const [bill] = await this.withLines(list);
    return bill ?? null;
  }

  async list(filter: { accountId: string | null; period: Period | null; limit: number }): Promise<BillView[]> {
    const where: string[] = [];
    const bindings: unknown[] = [];
    if (filter.accountId !== null) {
      where.push('"account_id" = ?');
      bindings.push(filter.accountId);
    }
    if (filter.period !== null) {
      where.push('"period" = ?');
      bindings.push(filter.period.toString());
    }
    const list = await rows<BillRow>(
      this.em.getKnex(),
      `select ${BILL_COLUMNS} from "bill" ${where.length > 0 ? `where ${where.join(' and ')}` : ''} order by "issued_at" desc, "seq" desc limit ?`,
      [...bindings, filter.limit],
    );
    return this.withLines(list);
  }

  private async withLines(bills: BillRow[]): Promise<BillView[]> {
    if (bills.length === 0) return [];
    const lines = await rows<LineRow>(
      this.em.getKnex(),
      `select "bill_id", "kind", "subscription_id", "product_code", "for_period", "quantity_days", "days_in_period",
              "list_amount"::text, "discount_amount"::text, "amount"::text
         from "bill_line" where "bill_id" = any(?::text[]) order by "bill_id", "position"`,
      [textArray(bills.map((bill) => bill.id))],
    );
    const byBill = new Map<string, LineRow[]>();
    for (const line of lines) {
      const list = byBill.get(line.bill_id) ?? [];
      list.push(line);
      byBill.set(line.bill_id, list);
    }
    return bills.map((bill) => {
      const currency = bill.currency as Currency;
      const money = (value: string): Money => Money.ofCents(value, currency);
      return {
        id: bill.id,
        accountId: bill.account_id,
        period: bill.period,
        runId: bill.run_id,
        currency,
        total: money(bill.total),
        paidAmount: money(bill.paid_amount),
        outstandingAmount: money(bill.outstanding_amount),
        status: bill.status,
        issuedAt: toDateTime(bill.issued_at),
        lines: (byBill.get(bill.id) ?? []).map(
          (line): BillLineView => ({
            kind: line.kind,
            subscriptionId: line.subscription_id,
            productCode: line.product_code,
            forPeriod: line.for_period,
            quantityDays: Number(line.quantity_days),
            daysInPeriod: line.days_in_period,
            listAmount: money(line.list_amount),
            discountAmount: money(line.discount_amount),
            amount: money(line.amount),
          }),
        ),
      };
    });
  }
}
