import { FormEvent, useState } from 'react';
import { Link, useParams } from 'react-router';
import { ApiError, queryString, segment } from '../api/api-client';
import { Account, Balance, Bill, Discount, LedgerEntry, Subscription, TopUpAnswer, UpcomingBill } from '../api/views';
import { BillLinesTable } from '../components/bill-lines';
import { ErrorBox, Loading, Money, Section, StatusBadge } from '../components/common';
import { formatMoney, formatRate, parseMoneyInput } from '../money';
import { formatInstant } from '../periods';
import { asApiError, useLoad, useSession } from '../session';

/** A fresh top-up reference (getRandomValues works on plain http too, where randomUUID does not). */
export function newReference(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return `console-${Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('')}`;
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
          <ErrorBox error={balance.error} />
          <Loading loading={balance.loading && !balance.data} />
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
        <ErrorBox error={subscriptions.error} />
        <Loading loading={subscriptions.loading && !subscriptions.data && !subscriptions.error} />
        <table>
          <thead>
            <tr>
              <th>Id</th>
              <th>Product</th>
              <th className="num">Quantity</th>
              <th>Unit</th>
              <th>Mode</th>
              <th>Status</th>
              <th>Enabled (UTC+8)</th>
              <th>Cancelled</th>
            </tr>
          </thead>
          <tbody>
            {(subscriptions.data ?? []).map((sub) => (
              <tr key={sub.id}>
                <td>{sub.id}</td>
                <td>{sub.productCode}</td>
                <td className="num">{sub.quantity}</td>
                <td>{sub.unit}</td>
                <td>{sub.billingMode}</td>
                <td>
                  <StatusBadge status={sub.status} />
                </td>
                <td>{formatInstant(sub.enabledAt)}</td>
                <td>{formatInstant(sub.cancelledAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Section>

      <Section title="Discounts">
        <ErrorBox error={discounts.error} />
        <Loading loading={discounts.loading && !discounts.data && !discounts.error} />
        <table>
          <thead>
            <tr>
              <th>Product</th>
              <th className="num">Rate</th>
              <th>From</th>
              <th>Until (exclusive)</th>
            </tr>
          </thead>
          <tbody>
            {(discounts.data ?? []).map((discount) => (
              <tr key={discount.id}>
                <td>{discount.productCode ?? 'all products'}</td>
                <td className="num">{formatRate(discount.rate)}</td>
                <td>{discount.effectiveFrom}</td>
                <td>{discount.effectiveTo ?? 'open-ended'}</td>
              </tr>
            ))}
            {discounts.data && discounts.data.length === 0 ? (
              <tr>
                <td colSpan={4} className="muted">
                  No discounts.
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </Section>

      <Section title="Bills" actions={<button onClick={bills.reload}>Refresh</button>}>
        <ErrorBox error={bills.error} />
        <Loading loading={bills.loading && !bills.data && !bills.error} />
        <table aria-label="bills">
          <thead>
            <tr>
              <th>Period</th>
              <th>Bill</th>
              <th className="num">Total</th>
              <th className="num">Paid</th>
              <th className="num">Outstanding</th>
              <th>Status</th>
              <th>Issued (UTC+8)</th>
            </tr>
          </thead>
          <tbody>
            {(bills.data ?? []).map((bill) => (
              <tr key={bill.id}>
                <td>{bill.period}</td>
                <td>
                  <Link to={`/bills/${encodeURIComponent(bill.id)}`}>{bill.id}</Link>
                </td>
                <td className="num">
                  <Money amount={bill.total} currency={bill.currency} />
                </td>
                <td className="num">
                  <Money amount={bill.paidAmount} currency={bill.currency} />
                </td>
                <td className="num">
                  <Money amount={bill.outstandingAmount} currency={bill.currency} />
                </td>
                <td>
                  <StatusBadge status={bill.status} />
                </td>
                <td>{formatInstant(bill.issuedAt)}</td>
              </tr>
            ))}
            {bills.data && bills.data.length === 0 ? (
              <tr>
                <td colSpan={7} className="muted">
                  No bills yet.
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </Section>

      <Section title="Upcoming bill" actions={<button onClick={upcoming.reload}>Refresh</button>}>
        <ErrorBox error={upcoming.error} />
        <Loading loading={upcoming.loading && !upcoming.data && !upcoming.error} />
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
        <ErrorBox error={ledger.error} />
        <Loading loading={ledger.loading && !ledger.data && !ledger.error} />
        <table aria-label="ledger">
          <thead>
            <tr>
              <th>When (UTC+8)</th>
              <th>Type</th>
              <th className="num">Amount</th>
              <th className="num">Balance after</th>
              <th>Bill / reference</th>
            </tr>
          </thead>
          <tbody>
            {(ledger.data ?? []).map((entry) => (
              <tr key={entry.id}>
                <td>{formatInstant(entry.createdAt)}</td>
                <td>{entry.type.replace(/_/g, ' ')}</td>
                <td className="num">
                  <Money amount={entry.amount} currency={currency} />
                </td>
                <td className="num">
                  <Money amount={entry.balanceAfter} currency={currency} />
                </td>
                <td>
                  {entry.billId ? (
                    <Link to={`/bills/${encodeURIComponent(entry.billId)}`}>{entry.billId}</Link>
                  ) : (
                    (entry.reference ?? '')
                  )}
                </td>
              </tr>
            ))}
            {ledger.data && ledger.data.length === 0 ? (
              <tr>
                <td colSpan={5} className="muted">
                  No balance changes yet.
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </Section>
    </>
  );
}

/** POST /v1/accounts/:id/top-ups: the reference makes a repeat harmless (R7.5); a new one after each success. */
function TopUpForm({ accountId, currency, onDone }: { accountId: string; currency: string; onDone: () => void }) {
  const { api } = useSession();
  const [amount, setAmount] = useState('');
  const [reference, setReference] = useState(newReference);
  const [error, setError] = useState<ApiError | undefined>();
  const [result, setResult] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);

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
    setBusy(true);
    setError(undefined);
    try {
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
    } catch (caught) {
      setError(asApiError(caught));
    } finally {
      setBusy(false);
    }
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
