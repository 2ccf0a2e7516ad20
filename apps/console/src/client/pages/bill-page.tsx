import { Link, useParams } from 'react-router';
import { segment } from '../api/api-client';
import { Bill, BillExplanation, ExplainedGroup, ExplainedLine } from '../api/views';
import { billLineColumns } from '../components/bill-lines';
import { ErrorBox, LoadStatus, Money, Section, StatusBadge } from '../components/common';
import { Column, DataTable } from '../components/data-table';
import { documentPath, DocumentFormat, downloadDocument } from '../components/download';
import { formatRate } from '../money';
import { formatInstant } from '../periods';
import { useAction, useLoad, useSession } from '../session';

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
        <LoadStatus load={bill} whileError />
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
          <DataTable
            className="bill-lines"
            columns={billLineColumns(data.currency, true)}
            rows={data.lines}
            rowKey={(line, index) => `${line.subscriptionId}-${line.forPeriod}-${index}`}
            detail={{
              className: 'explanation',
              indent: 1,
              render: (_line, index) => {
                const why = explained.get(index + 1);
                return why ? <LineExplanation line={why} currency={data.currency} /> : null;
              },
            }}
          />
        ) : null}
      </Section>
    </>
  );
}

const groupColumns: Column<ExplainedGroup>[] = [
  {
    title: 'Days (UTC+8)',
    cell: (group) =>
      group.dates.map((range) => (range.from === range.to ? range.from : `${range.from} – ${range.to}`)).join(', '),
  },
  { title: 'Days', numeric: true, cell: (group) => group.days },
  { title: 'Quantity', numeric: true, cell: (group) => group.quantity },
  { title: 'Product', cell: (group) => group.productCode },
  { title: 'Unit price', numeric: true, cell: (group) => group.unitPrice },
  { title: 'Discount', numeric: true, cell: (group) => formatRate(group.discountRate) },
  { title: 'Quantity × days', numeric: true, cell: (group) => group.quantityDays },
  { title: 'List sum', numeric: true, cell: (group) => group.listSum },
  { title: 'Net sum', numeric: true, cell: (group) => group.netSum },
];

function LineExplanation({ line, currency }: { line: ExplainedLine; currency: string }) {
  return (
    <div className="explain" aria-label={`explanation of line ${line.position}`}>
      <DataTable className="compact" columns={groupColumns} rows={line.groups} rowKey={(_group, index) => index} />
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
  const { busy, error, run } = useAction();

  async function download(format: DocumentFormat): Promise<void> {
    await run(() => downloadDocument(api, billId, format));
  }

  return (
    <div className="actions">
      <button onClick={() => download('html')} disabled={busy} title={`GET ${documentPath(billId, 'html')}`}>
        Download HTML
      </button>
      <button onClick={() => download('pdf')} disabled={busy} title={`GET ${documentPath(billId, 'pdf')}`}>
        Download PDF
      </button>
      <ErrorBox error={error} title="Document" />
    </div>
  );
}
