import { BillLine } from '../api/views';
import { Money } from './common';
import { Column, DataTable } from './data-table';

/**
 * The columns of a bill's lines: #, kind, product, subscription, for, units x days, days in month, list,
 * discount, amount; `subscriptionUnderProduct` puts the subscription under the product instead of in a column.
 */
export function billLineColumns(currency: string, subscriptionUnderProduct = false): Column<BillLine>[] {
  const money = (amount: (line: BillLine) => string) => (line: BillLine) => (
    <Money amount={amount(line)} currency={currency} />
  );
  const product: Column<BillLine>[] = subscriptionUnderProduct
    ? [
        {
          title: 'Product',
          cell: (line) => (
            <>
              {line.productCode}
              <div className="muted small">{line.subscriptionId}</div>
            </>
          ),
        },
      ]
    : [
        { title: 'Product', cell: (line) => line.productCode },
        { title: 'Subscription', cell: (line) => line.subscriptionId },
      ];
  return [
    { title: '#', cell: (_line, index) => index + 1 },
    { title: 'Kind', cell: (line) => line.kind },
    ...product,
    { title: 'For', cell: (line) => line.forPeriod },
    { title: 'Units × days', numeric: true, cell: (line) => line.quantityDays },
    { title: 'Days in month', numeric: true, cell: (line) => line.daysInPeriod },
    { title: 'List', numeric: true, cell: money((line) => line.listAmount) },
    { title: 'Discount', numeric: true, cell: money((line) => line.discountAmount) },
    { title: 'Amount', numeric: true, cell: money((line) => line.amount) },
  ];
}

/** A bill's lines (or an upcoming bill's): product, units x days, days in month, list, discount, amount. */
export function BillLinesTable({ lines, currency }: { lines: BillLine[]; currency: string }) {
  return (
    <DataTable
      columns={billLineColumns(currency)}
      rows={lines}
      rowKey={(line, index) => `${line.subscriptionId}-${line.forPeriod}-${line.kind}-${index}`}
      empty="No lines."
    />
  );
}
