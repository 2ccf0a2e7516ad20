import { FormEvent, useState } from 'react';
import { Link, useParams } from 'react-router';
import { ApiError, queryString, segment } from '../api/api-client';
import { Account, Balance, Bill, Discount, LedgerEntry, Subscription, TopUpAnswer, UpcomingBill } from '../api/views';
import { BillLinesTable } from '../components/bill-lines';
import { ErrorBox, LoadStatus, Money, Section, StatusBadge } from '../components/common';
import { Column, DataTable } from '../components/data-table';
import { formatMoney, formatRate, parseMoneyInput } from '../money';
import { formatInstant } from '../periods';
import { useAction, useLoad, useSession } from '../session';

/** A fresh top-up reference (getRandomValues works on plain http too, where randomUUID does not). */
export function newReference(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return `console-${Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('')}`;
}

const subscriptionColumns: Column<Subscription>[] = [
  { title: 'Id', cell: (sub) => sub.id },
  { title: 'Product', cell: (sub) => sub.productCode },
  { title: 'Quantity', numeric: true, cell: (sub) => sub.quantity },
  { title: 'Unit', cell: (sub) => sub.unit },
  { title: 'Mode', cell: (sub) => sub.billingMode },
  { title: 'Status', cell: (sub) => <StatusBadge status={sub.status} /> },
  { title: 'Enabled (UTC+8)', cell: (sub) => formatInstant(sub.enabledAt) },
  { title: 'Cancelled', cell: (sub) => formatInstant(sub.cancelledAt) },
];

const discountColumns: Column<Discount>[] = [
  { title: 'Product', cell: (discount) => discount.productCode ?? 'all products' },
  { title: 'Rate', numeric: true, cell: (discount) => formatRate(discount.rate) },
  { title: 'From', cell: (discount) => discount.effectiveFrom },
  { title: 'Until (exclusive)', cell: (discount) => discount.effectiveTo ?? 'open-ended' },
];

const billColumns: Column<Bill>[] = [
  { title: 'Period', cell: (bill) => bill.period },
  { title: 'Bill', cell: (bill) => <Link to={`/bills/${encodeURIComponent(bill.id)}`}>{bill.id}</Link> },
  { title: 'Total', numeric: true, cell: (bill) => <Money amount={bill.total} currency={bill.currency} /> },
  { title: 'Paid', numeric: true, cell: (bill) => <Money amount={bill.paidAmount} currency={bill.currency} /> },
  {
    title: 'Outstanding',
    numeric: true,
    cell: (bill) => <Money amount={bill.outstandingAmount} currency={bill.currency} />,
  },
  { title: 'Status', cell: (bill) => <StatusBadge status={bill.status} /> },
  { title: 'Issued (UTC+8)', cell: (bill) => formatInstant(bill.issuedAt) },
];

function ledgerColumns(currency: string): Column<LedgerEntry>[] {
  return [
    { title: 'When (UTC+8)', cell: (entry) => formatInstant(entry.createdAt) },
    { title: 'Type', cell: (entry) => entry.type.replace(/_/g, ' ') },
    { title: 'Amount', numeric: true, cell: (entry) => <Money amount={entry.amount} currency={currency} /> },
    {
      title: 'Balance after',
      numeric: true,
      cell: (entry) => <Money amount={entry.balanceAfter} currency={currency} />,
    },
    {
      title: 'Bill / reference',
      cell: (entry) =>
        entry.billId ? (
          <Link to={`/bills/${encodeURIComponent(entry.billId)}`}>{entry.billId}</Link>
        ) : (
          (entry.reference ?? '')
        ),
    },
  ];
}

/** One account: balance and status, top-up, subscriptions, discounts, bills, upcoming bill, ledger. */
export function AccountPage() {
  const id = useParams()['id'] ?? '';
  const path = `/v1/accounts/${segment(id)}`;
  const account = useLoad((api) => api.get<Account>('subscription', path), id);
  const balance = useLoad((api) => api.get<Balance>('billing', `${path}/balance`), id);
  const subscriptions = useLoad((api) => api.get<Subscription[]>('subscription', `${path}/subscriptions`), id);
  const discounts = useLoad((api) => api.get<Discount[]>('billing', `${path}/discounts`), id);
  const bills = useLoad((api) => api.get<Bill[]>('billing', `/v1/bills${queryString({ accountId: id })}`), id);
  const upcoming = useLoad((api) => api.get<UpcomingBill>('billing', `${path}/upcoming-bill`), id);
  const ledger = useLoad((api) => api.get<LedgerEntry[]>('billing', `${path}/ledger`), id);
  const currency = balance.data?.currency ?? account.data?.currency ?? 'USD';

  function reloadMoney(): void {
    balance.reload();
    bills.reload();
    ledger.reload();
  }

  return (
    <>
      <Section title={account.data ? `${account.data.name}` : `Account ${id}`}>
        <ErrorBox error={account.error} />
        <p>
          Account <code>{id}</code>
          {account.data ? (
            <>
              {' '}
              · {account.data.currency} · created {formatInstant(account.data.createdAt)} (UTC+8)
            </>
          ) : null}
        </p>
      </Section>

      <div className="grid-2">
        <Section title="Balance" actions={<button onClick={balance.reload}>Refresh</button>}>
          <LoadStatus load={balance} whileError />
          {balance.data ? (
            <dl className="facts" aria-label="balance facts">
              <dt>Balance</dt>
              <dd data-testid="balance">
                <Money amount={balance.data.balance} currency={currency} />
              </dd>
              <dt>Outstanding</dt>
              <dd data-testid="outstanding">
                <Money amount={balance.data.outstanding} currency={currency} />
              </dd>
              <dt>Status</dt>
              <dd>
                <StatusBadge status={balance.data.status} />
              </dd>
              <dt>Accrued this month</dt>
              <dd>
                <Money amount={balance.data.accruedThisPeriod} currency={currency} />
              </dd>
              <dt>Projected balance</dt>
              <dd>
                <Money amount={balance.data.projectedBalance} currency={currency} />
              </dd>
              <dt>Low-balance threshold</dt>
              <dd>
                {balance.data.lowBalanceThreshold === null
                  ? '—'
                  : formatMoney(balance.data.lowBalanceThreshold, currency)}
              </dd>
              <dt>Prepaid guard</dt>
              <dd>
                <StatusBadge status={balance.data.guardState} />
              </dd>
            </dl>
          ) : null}
        </Section>
        <TopUpForm accountId={id} currency={currency} onDone={reloadMoney} />
      </div>

      <Section title="Subscriptions">
        <LoadStatus load={subscriptions} />
        <DataTable columns={subscriptionColumns} rows={subscriptions.data} rowKey={(sub) => sub.id} />
      </Section>

      <Section title="Discounts">
        <LoadStatus load={discounts} />
        <DataTable
          columns={discountColumns}
          rows={discounts.data}
          rowKey={(discount) => discount.id}
          empty="No discounts."
        />
      </Section>

      <Section title="Bills" actions={<button onClick={bills.reload}>Refresh</button>}>
        <LoadStatus load={bills} />
        <DataTable label="bills" columns={billColumns} rows={bills.data} rowKey={(bill) => bill.id} empty="No bills yet." />
      </Section>

      <Section title="Upcoming bill" actions={<button onClick={upcoming.reload}>Refresh</button>}>
        <LoadStatus load={upcoming} />
        {upcoming.data ? (
          <>
            <p data-testid="upcoming">
              {`${upcoming.data.period}${upcoming.data.running ? ' (running month)' : ''}: `}
              {`counted through ${upcoming.data.countedThrough}, as of ${formatInstant(upcoming.data.asOf)} — total `}
              <Money amount={upcoming.data.total} currency={upcoming.data.currency} />
            </p>
            <BillLinesTable lines={upcoming.data.lines} currency={upcoming.data.currency} />
          </>
        ) : null}
      </Section>

      <Section title="Ledger" actions={<button onClick={ledger.reload}>Refresh</button>}>
        <LoadStatus load={ledger} />
        <DataTable
          label="ledger"
          columns={ledgerColumns(currency)}
          rows={ledger.data}
          rowKey={(entry) => entry.id}
          empty="No balance changes yet."
        />
      </Section>
    </>
  );
}

/** POST /v1/accounts/:id/top-ups: the reference makes a repeat harmless (R7.5); a new one after each success. */
function TopUpForm({ accountId, currency, onDone }: { accountId: string; currency: string; onDone: () => void }) {
  const { api } = useSession();
  const [amount, setAmount] = useState('');
  const [reference, setReference] = useState(newReference);
  const { busy, error, setError, run } = useAction();
  const [result, setResult] = useState<string | undefined>();

  async function submit(event: FormEvent): Promise<void> {
    event.preventDefault();
    setResult(undefined);
    const parsed = parseMoneyInput(amount);
    if (!parsed) {
      setError(
        new ApiError(
          0,
          'INVALID_AMOUNT',
          'amount must be a positive amount with at most 2 decimals, such as 100 or 99.90',
        ),
      );
      return;
    }
    await run(async () => {
      const answer = await api.post<TopUpAnswer>('billing', `/v1/accounts/${segment(accountId)}/top-ups`, {
        amount: parsed,
        reference: reference.trim(),
      });
      const settled =
        answer.settlements.length > 0
          ? `; settled ${answer.settlements.map((s) => `${s.billId} (${formatMoney(s.amount, currency)})`).join(', ')}`
          : '';
      setResult(
        `Topped up ${formatMoney(parsed, currency)}: balance ${formatMoney(answer.balance, currency)}, ` +
          `outstanding ${formatMoney(answer.outstanding, currency)}${settled}`,
      );
      setAmount('');
      setReference(newReference());
      onDone();
    });
  }

  return (
    <Section title="Top up">
      <form onSubmit={submit} className="stack-form" aria-label="top up">
        <label htmlFor="top-up-amount">Amount ({currency})</label>
        <input
          id="top-up-amount"
          inputMode="decimal"
          value={amount}
          onChange={(event) => setAmount(event.target.value)}
          placeholder="100.00"
        />
        <label htmlFor="top-up-reference">Reference (the same reference again changes nothing)</label>
        <input id="top-up-reference" value={reference} onChange={(event) => setReference(event.target.value)} />
        <button type="submit" disabled={busy || !amount.trim()}>
          Top up
        </button>
      </form>
      <ErrorBox error={error} />
      {result ? (
        <p className="ok" role="status">
          {result}
        </p>
      ) : null}
    </Section>
  );
}
