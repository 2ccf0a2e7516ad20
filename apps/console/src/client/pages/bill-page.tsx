import { Fragment, useState } from 'react';
import { Link, useParams } from 'react-router';
import { ApiError, segment } from '../api/api-client';
import { Bill, BillExplanation, ExplainedLine } from '../api/views';
import { ErrorBox, Loading, Money, Section, StatusBadge } from '../components/common';
import { documentPath, DocumentFormat, downloadDocument } from '../components/download';
import { formatRate } from '../money';
import { formatInstant } from '../periods';
import { asApiError, useLoad, useSession } from '../session';

/** A bill: its lines, the explanation of each line (GET /v1/bills/:id/explanation), its documents. */
export function BillPage() {
  const id = useParams()['id'] ?? '';
  const bill = useLoad((api) => api.get<Bill>('billing', `/v1/bills/${segment(id)}`), id);
  const explanation = useLoad((api) => api.get<BillExplanation>('billing', `/v1/bills/${segment(id)}/explanation`), id);
  const explained = new Map<number, ExplainedLine>(
    (explanation.data?.lines ?? []).map((line) => [line.position, line]),
  );
  const data = bill.data;

  return (
    <>
      <Section title={`Bill ${id}`} actions={<DocumentButtons billId={id} />}>
        <ErrorBox error={bill.error} />
        <Loading loading={bill.loading && !data} />
        {data ? (
          <dl className="facts">
            <dt>Account</dt>
            <dd>
              <Link to={`/accounts/${encodeURIComponent(data.accountId)}`}>{data.accountId}</Link>
            </dd>
            <dt>Period (UTC+8)</dt>
            <dd>{data.period}</dd>
            <dt>Total</dt>
            <dd data-testid="bill-total">
              <Money amount={data.total} currency={data.currency} />
            </dd>
            <dt>Paid</dt>
            <dd>
              <Money amount={data.paidAmount} currency={data.currency} />
            </dd>
            <dt>Outstanding</dt>
            <dd>
              <Money amount={data.outstandingAmount} currency={data.currency} />
            </dd>
            <dt>Status</dt>
            <dd>
              <StatusBadge status={data.status} />
            </dd>
            <dt>Issued</dt>
            <dd>{formatInstant(data.issuedAt)}</dd>
            <dt>Run</dt>
            <dd>{data.runId ? <Link to={`/runs/${encodeURIComponent(data.runId)}`}>{data.runId}</Link> : '—'}</dd>
          </dl>
        ) : null}
      </Section>

      <Section title="Lines and their explanation">
        <ErrorBox error={explanation.error} title="Explanation" />
        {data ? (
          <table className="bill-lines">
            <thead>
              <tr>
                <th>#</th>
                <th>Kind</th>
                <th>Product</th>
                <th>For</th>
                <th className="num">Units × days</th>
                <th className="num">Days in month</th>
                <th className="num">List</th>
                <th className="num">Discount</th>
                <th className="num">Amount</th>
              </tr>
            </thead>
            <tbody>
              {data.lines.map((line, index) => {
                const why = explained.get(index + 1);
                return (
                  <Fragment key={`${line.subscriptionId}-${line.forPeriod}-${index}`}>
                    <tr>
                      <td>{index + 1}</td>
                      <td>{line.kind}</td>
                      <td>
                        {line.productCode}
                        <div className="muted small">{line.subscriptionId}</div>
                      </td>
                      <td>{line.forPeriod}</td>
                      <td className="num">{line.quantityDays}</td>
                      <td className="num">{line.daysInPeriod}</td>
                      <td className="num">
                        <Money amount={line.listAmount} currency={data.currency} />
                      </td>
                      <td className="num">
                        <Money amount={line.discountAmount} currency={data.currency} />
                      </td>
                      <td className="num">
                        <Money amount={line.amount} currency={data.currency} />
                      </td>
                    </tr>
                    {why ? (
                      <tr className="explanation">
                        <td />
                        <td colSpan={8}>
                          <LineExplanation line={why} currency={data.currency} />
                        </td>
                      </tr>
                    ) : null}
                  </Fragment>
                );
              })}
            </tbody>
          </table>
        ) : null}
      </Section>
    </>
  );
}

function LineExplanation({ line, currency }: { line: ExplainedLine; currency: string }) {
  return (
    <div className="explain" aria-label={`explanation of line ${line.position}`}>
      <table className="compact">
        <thead>
          <tr>
            <th>Days (UTC+8)</th>
            <th className="num">Days</th>
            <th className="num">Quantity</th>
            <th>Product</th>
            <th className="num">Unit price</th>
            <th className="num">Discount</th>
            <th className="num">Quantity × days</th>
            <th className="num">List sum</th>
            <th className="num">Net sum</th>
          </tr>
        </thead>
        <tbody>
          {line.groups.map((group, index) => (
            <tr key={index}>
              <td>
                {group.dates
                  .map((range) => (range.from === range.to ? range.from : `${range.from} – ${range.to}`))
                  .join(', ')}
              </td>
              <td className="num">{group.days}</td>
              <td className="num">{group.quantity}</td>
              <td>{group.productCode}</td>
              <td className="num">{group.unitPrice}</td>
              <td className="num">{formatRate(group.discountRate)}</td>
              <td className="num">{group.quantityDays}</td>
              <td className="num">{group.listSum}</td>
              <td className="num">{group.netSum}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="small">
        List = Σ list sum / {line.daysInPeriod} days = {line.listExact} → rounded once (R4.4){' '}
        <Money amount={line.ratedListAmount} currency={currency} />; net = {line.netExact} →{' '}
        <Money amount={line.ratedAmount} currency={currency} />
        {line.billedBefore ? (
          <>
            {' '}
            − billed before <Money amount={line.billedBefore.amount} currency={currency} />
          </>
        ) : null}{' '}
        = line amount <Money amount={line.amount} currency={currency} />{' '}
        {line.matches ? (
          <span className="ok">✓ matches the stored line</span>
        ) : (
          <span className="error-text">✗ differs from the stored line</span>
        )}
      </p>
    </div>
  );
}

function DocumentButtons({ billId }: { billId: string }) {
  const { api } = useSession();
  const [error, setError] = useState<ApiError | undefined>();
  const [busy, setBusy] = useState<DocumentFormat | null>(null);

  async function download(format: DocumentFormat): Promise<void> {
    setBusy(format);
    setError(undefined);
    try {
      await downloadDocument(api, billId, format);
    } catch (caught) {
      setError(asApiError(caught));
    } finally {
      setBusy(null);
    }
  }

  return (
    <div className="actions">
      <button onClick={() => download('html')} disabled={busy !== null} title={`GET ${documentPath(billId, 'html')}`}>
        Download HTML
      </button>
      <button onClick={() => download('pdf')} disabled={busy !== null} title={`GET ${documentPath(billId, 'pdf')}`}>
        Download PDF
      </button>
      <ErrorBox error={error} title="Document" />
    </div>
  );
}
