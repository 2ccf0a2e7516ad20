import { EntityManager } from '@mikro-orm/postgresql';
import type { DateTime } from 'luxon';
import { Currency, Money, newId, Period } from '@cec/kernel';
import { BilledForPeriod, BillLine, deduct, settle } from '@cec/billing-domain';
import { AccountInArrearsEvent, BillIssuedEvent, SUBJECTS } from '@cec/contracts';
import type {
  AccountBillingState,
  BatchIssueOutcome,
  BillingLedger,
  IssueBillInput,
  IssueBillOutcome,
} from '@cec/billing-application';
import { StaleAccountError } from '@cec/billing-application';
import { applySettlements, LedgerInsert, ledgerValues, outstandingBills, settledEvent } from './account.repository';
import { currentCorrelationId } from '@cec/platform';
import type { OutboxRow } from './outbox-sql';
import { Db, execute, placeholders, rows, textArray, inTransaction } from './sql';

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
        await execute(
          trx,
          `with "p" as (insert into "run_progress" ("run_id", "processed", "billed", "total") values (?, 1, 0, 0))
           update "account" set "usage_revision" = ? where "id" = ?`,
          [input.runId, input.usageRevision, accountId],
        );
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
      // the run's progress (#11), with the marker written above
      parts.push(`"p" as (insert into "run_progress" ("run_id", "processed", "billed", "total") values (?, 1, 1, ?::numeric))`);
      bindings.push(input.runId, total.toString());
      // the bills-by-currency totals the metrics scrape reads (#11, migration 0012)
      parts.push(`"t" as (insert into "bill_tally" ("run_id", "currency", "bills", "total") values (?, ?, 1, ?::numeric))`);
      bindings.push(input.runId, currency, total.toString());
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
  async issueBatch(inputs: readonly IssueBillInput[]): Promise<Map<string, BatchIssueOutcome>> {
    const outcomes = new Map<string, BatchIssueOutcome>();
    if (inputs.length === 0) return outcomes;
    const runId = inputs[0].runId;
    const period = inputs[0].period.toString();
    if (inputs.some((input) => input.runId !== runId || input.period.toString() !== period)) {
      throw new Error('a batch is of one run and one period');
    }
    // one lock order for every writer (two replicas on a redelivered job wait, never deadlock)
    const sorted = [...inputs].sort((a, b) => (a.accountId < b.accountId ? -1 : a.accountId > b.accountId ? 1 : 0));
    if (new Set(sorted.map((input) => input.accountId)).size !== sorted.length) {
      throw new Error('an account twice in one batch');
    }
    const at = sorted[0].issuedAt;
    return inTransaction(this.em, async (trx) => {
      const locked = await markAndLock(trx, runId, period, sorted, at.toJSDate());
      if (locked.size < sorted.length) {
        // not marked now: processed already, or the run is no longer running (cancelled meanwhile)
        const [run] = await rows<{ status: string }>(trx, 'select "status" from "billing_run" where "id" = ?', [runId]);
        const missing: BatchIssueOutcome = run?.status === 'running' ? 'already_processed' : 'run_not_running';
        for (const input of sorted) if (!locked.has(input.accountId)) outcomes.set(input.accountId, missing);
      }
      const writes = new BatchWrites(runId, period, at);
      const undo: string[] = [];
      for (const input of sorted) {
        const account = locked.get(input.accountId);
        if (!account) continue;
        const outcome = writes.add(input, account);
        if (outcome === 'stale' || outcome === 'set_aside') undo.push(input.accountId);
        outcomes.set(input.accountId, outcome);
      }
      await writes.flush(trx, undo);
      return outcomes;
    });
  }
}

interface LockedAccount {
  currency: string;
  balance: string;
  outstanding: string;
  bill_seq: number;
}

/**
 * Statement 1 of a batch: the processed markers of every account (written only while the run is
 * running, whose row is share-locked so that a cancel waits for the batch) and the accounts newly
 * marked locked, in account order. Returns the locked accounts by id.
 */
async function markAndLock(
  trx: Db,
  runId: string,
  period: string,
  sorted: readonly IssueBillInput[],
  at: Date,
): Promise<Map<string, LockedAccount>> {
  const list = await rows<LockedAccount & { id: string }>(
    trx,
    `with "run" as (select "id" from "billing_run" where "id" = ? and "status" = 'running' for share),
     "marked" as (
       insert into "account_period"
              ("account_id", "period", "run_id", "usage_revision", "bill_id", "total", "processed_at")
       select i."account_id", ?, r."id", i."usage_revision", i."bill_id", i."total", ?::timestamptz
         from unnest(?::text[], ?::bigint[], ?::text[], ?::numeric[]) with ordinality
              as i("account_id", "usage_revision", "bill_id", "total", "n")
         cross join "run" r
        order by i."n"
       on conflict do nothing returning "account_id")
     select a."id", a."currency", a."balance"::text, a."outstanding"::text, a."bill_seq"
       from "account" a join "marked" m on m."account_id" = a."id"
      where a."id" = any(?::text[])
      order by a."id"
        for update of a`,
    [
      runId,
      period,
      at,
      sorted.map((input) => input.accountId),
      sorted.map((input) => input.usageRevision),
      sorted.map((input) => (input.draft.billable ? input.billId : null)),
      sorted.map((input) => (input.draft.billable ? input.draft.total.toString() : null)),
      // the batch's keys again (#11): joined only to the markers just written, the planner read
      // every account of the database (a sequential scan per batch, so a run grew as N²)
      sorted.map((input) => input.accountId),
    ],
  );
  return new Map(list.map((row) => [row.id, row]));
}

/** Column arrays of a batch's rows, written by {@link BatchWrites.flush} in one statement. */
class BatchWrites {
  private readonly bills = columns(10);
  private readonly lines = columns(12);
  /**
   * Bills' inputs and outbox events as JSON array elements (`[billId, input]`, `[eventId, subject,
   * payload]`) of one JSON document each, bound as text: the driver would otherwise escape every
   * character of each JSON text into an array literal (#11: pg's escapeElement on the hot path).
   */
  private readonly inputs: string[] = [];
  private readonly entries = columns(7);
  private readonly events: string[] = [];
  private readonly balances = columns(4);
  private readonly revisions = columns(2);
  private readonly issuedAt: string;

  constructor(
    private readonly runId: string,
    private readonly period: string,
    private readonly at: DateTime,
  ) {
    this.issuedAt = iso(at);
  }

  /** One account's rows (R7.4 deduction), or why it is left out of the batch. */
  add(input: IssueBillInput, account: LockedAccount): BatchIssueOutcome {
    const { draft, accountId } = input;
    // billed since the draft was made? then the draft is stale
    if (account.bill_seq !== input.expectedBillSeq) return 'stale';
    if (!draft.billable) {
      push(this.revisions, accountId, input.usageRevision);
      return 'nothing_to_bill';
    }
    const billId = input.billId;
    const currency = account.currency as Currency;
    const balance = Money.ofCents(account.balance, currency);
    const outstandingBefore = Money.ofCents(account.outstanding, currency);
    const total = Money.ofCents(draft.total.amount, currency);
    const deduction = deduct(balance, total);
    // a credit that settles older bills locks and updates them: rare (late usage), issued alone
    if (deduction.credit.isPositive() && outstandingBefore.isPositive()) return 'set_aside';
    const balanceAfter = deduction.balanceAfter;
    const outstandingAfter = outstandingBefore.plus(deduction.outstandingAmount);
    if (deduction.paidAmount.isPositive()) {
      const amount = deduction.paidAmount.negated().toString();
      push(this.entries, newId('led'), accountId, 'deduction', amount, balanceAfter.toString(), billId, null);
    }
    if (deduction.credit.isPositive()) {
      const amount = deduction.credit.toString();
      push(this.entries, newId('led'), accountId, 'adjustment', amount, balanceAfter.toString(), billId, null);
    }
    const issued: BillIssuedEvent = {
      id: `bill-issued:${billId}`,
      occurredAt: this.issuedAt,
      billId,
      accountId,
      period: this.period,
      currency,
      total: total.toString(),
      paidAmount: deduction.paidAmount.toString(),
      outstandingAmount: deduction.outstandingAmount.toString(),
      status: deduction.status,
    };
    this.events.push(`[${JSON.stringify(issued.id)},${JSON.stringify(SUBJECTS.billIssued)},${JSON.stringify(issued)}]`);
    if (!outstandingBefore.isPositive() && outstandingAfter.isPositive()) {
      const inArrears: AccountInArrearsEvent = {
        id: newId('evt'),
        occurredAt: this.issuedAt,
        accountId,
        outstanding: outstandingAfter.toString(),
        currency,
      };
      this.events.push(`[${JSON.stringify(inArrears.id)},${JSON.stringify(SUBJECTS.accountInArrears)},${JSON.stringify(inArrears)}]`);
    }
    push(
      this.bills,
      billId,
      accountId,
      this.period,
      this.runId,
      currency,
      total.toString(),
      deduction.paidAmount.toString(),
      deduction.outstandingAmount.toString(),
      deduction.status,
      this.issuedAt,
    );
    draft.lines.forEach((line, index) =>
      push(
        this.lines,
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
      ),
    );
    // issue 10: the inputs the bill was rated from, in the bill's transaction
    if (input.input) this.inputs.push(`[${JSON.stringify(billId)},${JSON.stringify(input.input)}]`);
    push(this.balances, accountId, balanceAfter.toString(), outstandingAfter.toString(), input.usageRevision);
    return 'issued';
  }

  /**
   * Statement 2 of a batch: the markers of the accounts left out taken back, then bills, lines,
   * inputs, ledger entries, outbox events and balances of the others, one multi-row insert each
   * (arrays, unnest), in one statement. The events' per-account sequence numbers are taken here,
   * one upsert of the batch's accounts' counters (#11: the outbox trigger's row-by-row upsert was
   * one statement per event), so the trigger finds them assigned and leaves them.
   */
  async flush(trx: Db, undo: readonly string[]): Promise<void> {
    const at = this.at.toJSDate();
    const correlationId = currentCorrelationId() ?? null;
    // the markers of accounts left out are taken back only when there are some: the statement's
    // generic plan read every marker of the period to delete none (#11)
    const undoCte = undo.length > 0 ? `"undo" as (delete from "account_period" where "period" = ? and "account_id" = any(?::text[])),` : '';
    // the run's progress (#11): the markers this transaction keeps, its bills and their total, one
    // row per batch (read by the run's status instead of aggregating its markers); and the bills'
    // tally by currency, one row per currency of the batch's bills (read by the metrics scrape
    // instead of aggregating every bill, migration 0012)
    const processed = this.bills[0].length + this.revisions[0].length;
    const progressCte =
      processed > 0
        ? `"p" as (insert into "run_progress" ("run_id", "processed", "billed", "total")
             select ?, ?::int, count(*), coalesce(sum(b."total"), 0) from "b"),`
        : '';
    await execute(
      trx,
      `with ${undoCte}
       "b" as (insert into "bill"
                 ("id", "account_id", "period", "run_id", "currency", "total", "paid_amount", "outstanding_amount", "status", "issued_at")
         select * from unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::numeric[], ?::numeric[], ?::numeric[],
                              ?::text[], ?::timestamptz[])
         returning "currency", "total"),
       ${progressCte}
       "t" as (insert into "bill_tally" ("run_id", "currency", "bills", "total")
         select ?, "currency", count(*), sum("total") from "b" group by "currency" order by "currency"),
       "l" as (insert into "bill_line" ("bill_id", "position", "account_id", "kind", "subscription_id", "product_code", "for_period",
                 "quantity_days", "days_in_period", "list_amount", "discount_amount", "amount")
         select * from unnest(?::text[], ?::int[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::bigint[], ?::int[],
                              ?::numeric[], ?::numeric[], ?::numeric[])),
       "i" as (insert into "bill_input" ("bill_id", "input")
         select u."e"->>0, u."e"->1 from jsonb_array_elements(?::jsonb) as u("e")),
       "e" as (insert into "ledger_entry" ("id", "account_id", "type", "amount", "balance_after", "bill_id", "reference", "created_at")
         select u.*, ?::timestamptz
           from unnest(?::text[], ?::text[], ?::text[], ?::numeric[], ?::numeric[], ?::text[], ?::text[]) as u),
       "ev" as (select u."e"->>0 as "event_id", u."e"->>1 as "subject", u."e"->2 as "payload", u."e"->2->>'accountId' as "account_id", u."n",
                       row_number() over (partition by u."e"->2->>'accountId' order by u."n") as "k",
                       count(*) over (partition by u."e"->2->>'accountId') as "c"
                  from jsonb_array_elements(?::jsonb) with ordinality as u("e", "n")),
       "sq" as (insert into "outbox_aggregate_sequence" as s ("aggregate_id", "last_seq")
                  select "account_id", max("c") from "ev" where "account_id" is not null group by "account_id" order by "account_id"
                  on conflict ("aggregate_id") do update set "last_seq" = s."last_seq" + excluded."last_seq"
                  returning "aggregate_id", "last_seq"),
       "o" as (insert into "outbox" ("event_id", "subject", "payload", "created_at", "correlation_id", "aggregate_id", "aggregate_seq")
         select ev."event_id", ev."subject",
                case when sq."aggregate_id" is null then ev."payload"
                     else ev."payload" || jsonb_build_object('accountSequence', sq."last_seq" - ev."c" + ev."k") end,
                ?::timestamptz, ?, sq."aggregate_id", sq."last_seq" - ev."c" + ev."k"
           from "ev" left join "sq" on sq."aggregate_id" = ev."account_id"
          order by ev."n"),
       "r" as (update "account" a set "usage_revision" = u."usage_revision"
                 from unnest(?::text[], ?::bigint[]) as u("id", "usage_revision") where a."id" = u."id" and a."id" = any(?::text[]))
       update "account" a
          set "balance" = u."balance", "outstanding" = u."outstanding", "bill_seq" = a."bill_seq" + 1, "usage_revision" = u."usage_revision"
         from unnest(?::text[], ?::numeric[], ?::numeric[], ?::bigint[]) as u("id", "balance", "outstanding", "usage_revision")
        where a."id" = u."id" and a."id" = any(?::text[])`,
      [
        ...(undo.length > 0 ? [this.period, [...undo]] : []),
        ...this.bills,
        ...(processed > 0 ? [this.runId, processed] : []),
        this.runId,
        ...this.lines,
        `[${this.inputs.join(',')}]`,
        at,
        ...this.entries,
        `[${this.events.join(',')}]`,
        at,
        correlationId,
        // each update's keys again (#11), so that the accounts are found by primary key, not by
        // reading every account of the database per batch
        ...this.revisions,
        this.revisions[0],
        ...this.balances,
        this.balances[0],
      ],
    );
  }
}

function columns(width: number): unknown[][] {
  return Array.from({ length: width }, () => []);
}

function push(table: unknown[][], ...values: unknown[]): void {
  values.forEach((value, index) => table[index].push(value));
}
