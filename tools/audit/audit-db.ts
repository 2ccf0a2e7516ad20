import type { ClientBase } from 'pg';
import { auditBill, Difference, KeptInput, StoredBill, StoredLine } from './audit-engine';

export interface AuditReport {
  period: string;
  bills: number;
  lines: number;
  differences: Difference[];
  seconds: number;
  billsPerSecond: number;
}

const PAGE = 2000;
const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

/**
 * Issue 10: audits every bill of `period` in the billing schema `schema`: reads the bills, their
 * lines and their kept inputs page by page (by bill id) and re-derives each with the independent
 * engine of audit-engine.ts. Reads only.
 */
export async function auditPeriod(db: ClientBase, schema: string, period: string): Promise<AuditReport> {
  if (!IDENTIFIER.test(schema)) throw new Error(`not a schema name: ${schema}`);
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(period)) throw new Error(`--period must be a month written YYYY-MM, not ${period}`);
  const started = process.hrtime.bigint();
  const differences: Difference[] = [];
  let bills = 0;
  let lines = 0;
  let after = '';
  for (;;) {
    const page = await db.query<{ id: string; account_id: string; currency: string; total: string; input: KeptInput | null }>(
      `select b."id", b."account_id", b."currency", b."total"::text, i."input"
         from "${schema}"."bill" b left join "${schema}"."bill_input" i on i."bill_id" = b."id"
        where b."period" = $1 and b."id" > $2 order by b."id" limit ${PAGE}`,
      [period, after],
    );
    if (page.rows.length === 0) break;
    const ids = page.rows.map((row) => row.id);
    const lineRows = await db.query<{
      bill_id: string;
      position: number;
      kind: string;
      subscription_id: string;
      for_period: string;
      quantity_days: string;
      days_in_period: number;
      list_amount: string;
      discount_amount: string;
      amount: string;
    }>(
      `select "bill_id", "position", "kind", "subscription_id", "for_period", "quantity_days"::text, "days_in_period",
              "list_amount"::text, "discount_amount"::text, "amount"::text
         from "${schema}"."bill_line" where "bill_id" = any($1::text[]) order by "bill_id", "position"`,
      [ids],
    );
    const linesOf = new Map<string, StoredLine[]>();
    for (const row of lineRows.rows) {
      const list = linesOf.get(row.bill_id) ?? [];
      list.push({
        position: row.position,
        kind: row.kind,
        subscriptionId: row.subscription_id,
        forPeriod: row.for_period,
        quantityDays: Number(row.quantity_days),
        daysInPeriod: row.days_in_period,
        listAmount: row.list_amount,
        discountAmount: row.discount_amount,
        amount: row.amount,
      });
      linesOf.set(row.bill_id, list);
    }
    for (const row of page.rows) {
      const bill: StoredBill = { id: row.id, accountId: row.account_id, currency: row.currency, total: row.total, lines: linesOf.get(row.id) ?? [], input: row.input };
      const result = auditBill(bill);
      bills += 1;
      lines += result.lines;
      differences.push(...result.differences);
    }
    after = ids[ids.length - 1];
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { period, bills, lines, differences, seconds, billsPerSecond: seconds > 0 ? Math.round(bills / seconds) : bills };
}
