import { EntityManager } from '@mikro-orm/postgresql';
import type { DateTime } from 'luxon';
import { Currency, Money, newId, Period } from '@cec/kernel';
import { BilledForPeriod, BillLine, deduct, settle } from '@cec/billing-domain';
import { AccountInArrearsEvent, BillIssuedEvent, SUBJECTS } from '@cec/contracts';
import type { AccountBillingState, BillingLedger, IssueBillInput, IssueBillOutcome } from '@cec/billing-application';
import { StaleAccountError } from '@cec/billing-application';
import { applySettlements, LedgerInsert, ledgerValues, outstandingBills, settledEvent } from './account.repository';
import { currentCorrelationId } from '@cec/platform';
import type { OutboxRow } from './outbox-sql';
import { execute, placeholders, rows, textArray, inTransaction } from './sql';

function iso(at: DateTime): string {
  return at.toUTC().toISO({ suppressMilliseconds: true }) as string;
}

function lineValues(billId: string, accountId: string, lines: readonly BillLine[]): unknown[] {
  return lines.flatMap((line, index) => [
    billId,
    index + 1,
    accountId,
    line.kind,
    line.subscriptionId,
    line.productCode,
    line.forPeriod.toString(),
    line.quantityDays,
    line.daysInPeriod,
    line.listAmount.toString(),
    line.discountAmount.toString(),
    line.amount.toString(),
  ]);
}

/**
 * The hot path of a run, in lean SQL: each account is one short transaction of a few statements
 * (no unit of work). Exactly once comes from the keys: the processed marker and the bill are
 * unique per (account, period), so a second writer waits on the first and then finds it done.
 */
export class SqlBillingLedger implements BillingLedger {
  constructor(private readonly em: EntityManager) {}

  async loadStates(accountIds: readonly string[], period: Period): Promise<AccountBillingState[]> {
    if (accountIds.length === 0) return [];
    const list = await rows<{ id: string; currency: string; usage_revision: string | null; bill_seq: number; processed: boolean }>(
      this.em.getKnex(),
      `select a."id", a."currency", a."usage_revision"::text, a."bill_seq", (m."account_id" is not null) as "processed"
         from "account" a left join "account_period" m on m."account_id" = a."id" and m."period" = ?
        where a."id" = any(?::text[])
        order by a."id"`,
      [period.toString(), textArray(accountIds)],
    );
    return list.map((row) => ({
      accountId: row.id,
      currency: row.currency as Currency,
      usageRevision: row.usage_revision,
      billSeq: row.bill_seq,
      processed: row.processed,
    }));
  }

  async processedPeriods(accounts: ReadonlyMap<string, Period>, except: Period): Promise<Map<string, Period[]>> {
    const result = new Map<string, Period[]>();
    if (accounts.size === 0) return result;
    const list = await rows<{ account_id: string; period: string }>(
      this.em.getKnex(),
      'select "account_id", "period" from "account_period" where "account_id" = any(?::text[]) and "period" <> ? order by "account_id", "period"',
      [textArray([...accounts.keys()]), except.toString()],
    );
    for (const row of list) {
      const from = accounts.get(row.account_id);
      const period = Period.parse(row.period);
      if (!from || period.compare(from) < 0) continue;
      const periods = result.get(row.account_id) ?? [];
      periods.push(period);
      result.set(row.account_id, periods);
    }
    return result;
  }

  async billedAmounts(accountIds: readonly string[], periods: readonly Period[]): Promise<Map<string, Map<string, Map<string, BilledForPeriod>>>> {
    const result = new Map<string, Map<string, Map<string, BilledForPeriod>>>();
    if (accountIds.length === 0 || periods.length === 0) return result;
    const list = await rows<{
      account_id: string;
      for_period: string;
      subscription_id: string;
      currency: string;
      /** bigint: pg hands it over as a string (#8.5) */
      quantity_days: string;
      list_amount: string;
      discount_amount: string;
      amount: string;
      product_code: string;
    }>(
      this.em.getKnex(),
      `select l."account_id", l."for_period", l."subscription_id", min(b."currency") as "currency",
              sum(l."quantity_days")::bigint as "quantity_days", sum(l."list_amount")::text as "list_amount",
              sum(l."discount_amount")::text as "discount_amount", sum(l."amount")::text as "amount",
              (array_agg(l."product_code" order by (l."kind" = 'usage') desc, b."seq"))[1] as "product_code"
         from "bill_line" l join "bill" b on b."id" = l."bill_id"
        where l."account_id" = any(?::text[]) and l."for_period" = any(?::text[])
        group by l."account_id", l."for_period", l."subscription_id"`,
      [textArray(accountIds), textArray(periods.map((period) => period.toString()))],
    );
    for (const row of list) {
      const currency = row.currency as Currency;
      const byPeriod = result.get(row.account_id) ?? new Map<string, Map<string, BilledForPeriod>>();
      const bySubscription = byPeriod.get(row.for_period) ?? new Map<string, BilledForPeriod>();
      bySubscription.set(row.subscription_id, {
        productCode: row.product_code,
        quantityDays: Number(row.quantity_days),
        listAmount: Money.ofCents(row.list_amount, currency),
        discountAmount: Money.ofCents(row.discount_amount, currency),
        amount: Money.ofCents(row.amount, currency),
      });
      byPeriod.set(row.for_period, bySubscription);
      result.set(row.account_id, byPeriod);
    }
    return result;
  }

  async issue(input: IssueBillInput): Promise<IssueBillOutcome> {
    const { draft, accountId } = input;
    const period = input.period.toString();
    const at = input.issuedAt.toJSDate();
    const billId = draft.billable ? input.billId : null;
    return inTransaction(this.em, async (trx) => {
      // 1. the processed marker (a second writer of (account, period) waits on it, then finds it
      //    taken), written only while the run is running, and the account locked, in one round
      //    trip. The run row is taken FOR SHARE until this transaction ends: cancel takes it FOR
      //    UPDATE, so a cancel and a bill serialize (a bill committed before the cancel counts, and
      //    once cancel committed the status re-read here is `cancelled`: a cancelled run bills no more)
      const [account] = await rows<{ currency: string; balance: string; outstanding: string; bill_seq: number }>(
        trx,
        `with "marked" as (
           insert into "account_period" ("account_id", "period", "run_id", "usage_revision", "bill_id", "total", "processed_at")
           select ?, ?, r."id", ?::bigint, ?, ?::numeric, ?::timestamptz from "billing_run" r where r."id" = ? and r."status" = 'running' for share of r
           on conflict do nothing returning "account_id")
         select a."currency", a."balance"::text, a."outstanding"::text, a."bill_seq"
           from "account" a join "marked" m on m."account_id" = a."id"
            for update of a`,
        [accountId, period, input.usageRevision, billId, billId ? draft.total.toString() : null, at, input.runId],
      );
      if (!account) {
        const [run] = await rows<{ status: string }>(trx, 'select "status" from "billing_run" where "id" = ?', [input.runId]);
        return run?.status === 'running' ? 'already_processed' : 'run_not_running';
      }
      // 2. billed since the draft was made? then the draft is stale
      if (account.bill_seq !== input.expectedBillSeq) throw new StaleAccountError(accountId);
      if (!billId) {
        await execute(trx, 'update "account" set "usage_revision" = ? where "id" = ?', [input.usageRevision, accountId]);
        return 'nothing_to_bill';
      }
      const currency = account.currency as Currency;
      const balance = Money.ofCents(account.balance, currency);
      const outstandingBefore = Money.ofCents(account.outstanding, currency);
      const total = Money.ofCents(draft.total.amount, currency);
      // 3. R7.4 deduction; a negative total credits the balance, which then settles older bills
      const deduction = deduct(balance, total);
      const entries: LedgerInsert[] = [];
      let balanceAfter = deduction.balanceAfter;
      let outstandingAfter = outstandingBefore.plus(deduction.outstandingAmount);
      if (deduction.paidAmount.isPositive()) {
        entries.push({ accountId, type: 'deduction', amount: deduction.paidAmount.negated(), balanceAfter, billId, reference: null });
      }
      if (deduction.credit.isPositive()) {
        entries.push({ accountId, type: 'adjustment', amount: deduction.credit, balanceAfter, billId, reference: null });
        if (outstandingBefore.isPositive()) {
          const settlement = settle(balanceAfter, await outstandingBills(trx, accountId, currency));
          let running = balanceAfter;
          for (const item of settlement.settlements) {
            running = running.minus(item.amount);
            entries.push({ accountId, type: 'settlement', amount: item.amount.negated(), balanceAfter: running, billId: item.billId, reference: null });
            outstandingAfter = outstandingAfter.minus(item.amount);
          }
          await applySettlements(trx, settlement.settlements);
          balanceAfter = settlement.balanceAfter;
        }
      }
      const events: OutboxRow[] = [];
      const issued: BillIssuedEvent = {
        id: `bill-issued:${billId}`,
        occurredAt: iso(input.issuedAt),
        billId,
        accountId,
        period,
        currency,
        total: total.toString(),
        paidAmount: deduction.paidAmount.toString(),
        outstandingAmount: deduction.outstandingAmount.toString(),
        status: deduction.status,
      };
      events.push({ eventId: issued.id, subject: SUBJECTS.billIssued, payload: issued });
      if (!outstandingBefore.isPositive() && outstandingAfter.isPositive()) {
        const inArrears: AccountInArrearsEvent = { id: newId('evt'), occurredAt: iso(input.issuedAt), accountId, outstanding: outstandingAfter.toString(), currency };
        events.push({ eventId: inArrears.id, subject: SUBJECTS.accountInArrears, payload: inArrears });
      }
      if (outstandingBefore.isPositive() && !outstandingAfter.isPositive()) events.push(settledEvent(accountId, balanceAfter, input.issuedAt));
      // 3. bill, lines, their inputs, ledger entries, outbox and balance: one statement, one round trip
      const parts: string[] = [];
      const bindings: unknown[] = [];
      parts.push(`"b" as (insert into "bill" ("id", "account_id", "period", "run_id", "currency", "total", "paid_amount", "outstanding_amount", "status", "issued_at")
                  values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?))`);
      bindings.push(billId, accountId, period, input.runId, currency, total.toString(), deduction.paidAmount.toString(), deduction.outstandingAmount.toString(), deduction.status, at);
      parts.push(`"l" as (insert into "bill_line" ("bill_id", "position", "account_id", "kind", "subscription_id", "product_code", "for_period", "quantity_days",
                  "days_in_period", "list_amount", "discount_amount", "amount") values ${placeholders(draft.lines.length, 12)})`);
      bindings.push(...lineValues(billId, accountId, draft.lines));
      if (input.input) {
        // issue 10: the inputs the bill was rated from, in the bill's transaction
        parts.push(`"i" as (insert into "bill_input" ("bill_id", "input") values (?, ?::jsonb))`);
        bindings.push(billId, JSON.stringify(input.input));
      }
      if (entries.length > 0) {
        parts.push(`"e" as (insert into "ledger_entry" ("id", "account_id", "type", "amount", "balance_after", "bill_id", "reference", "created_at") values ${placeholders(entries.length, 8)})`);
        bindings.push(...ledgerValues(entries, at));
      }
      // the run's correlation id (its jobs carry the run id) travels on with bill.issued & co.
      const correlationId = currentCorrelationId() ?? null;
      parts.push(`"o" as (insert into "outbox" ("event_id", "subject", "payload", "created_at", "correlation_id") values ${placeholders(events.length, 5, ['', '', '::jsonb', '', ''])})`);
      bindings.push(...events.flatMap((event) => [event.eventId, event.subject, JSON.stringify(event.payload), at, correlationId]));
      bindings.push(balanceAfter.toString(), outstandingAfter.toString(), input.usageRevision, accountId);
      await execute(
        trx,
        `with ${parts.join(',\n')}
         update "account" set "balance" = ?, "outstanding" = ?, "bill_seq" = "bill_seq" + 1, "usage_revision" = ? where "id" = ?`,
        bindings,
      );
      return 'issued';
    });
  }
}
