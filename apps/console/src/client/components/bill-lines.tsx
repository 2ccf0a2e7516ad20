import { BillLine } from '../api/views';
import { Money } from './common';

/** A bill's lines (or an upcoming bill's): product, units x days, days in month, list, discount, amount. */
export function BillLinesTable({ lines, currency }: { lines: BillLine[]; currency: string }) {
  return (
    <table>
      <thead>
        <tr>
          <th>#</th>
          <th>Kind</th>
          <th>Product</th>
          <th>Subscription</th>
          <th>For</th>
          <th className="num">Units × days</th>
          <th className="num">Days in month</th>
          <th className="num">List</th>
          <th className="num">Discount</th>
          <th className="num">Amount</th>
        </tr>
      </thead>
      <tbody>
        {lines.map((line, index) => (
          <tr key={`${line.subscriptionId}-${line.forPeriod}-${line.kind}-${index}`}>
            <td>{index + 1}</td>
            <td>{line.kind}</td>
            <td>{line.productCode}</td>
            <td>{line.subscriptionId}</td>
            <td>{line.forPeriod}</td>
            <td className="num">{line.quantityDays}</td>
            <td className="num">{line.daysInPeriod}</td>
            <td className="num">
              <Money amount={line.listAmount} currency={currency} />
            </td>
            <td className="num">
              <Money amount={line.discountAmount} currency={currency} />
            </td>
            <td className="num">
              <Money amount={line.amount} currency={currency} />
            </td>
          </tr>
        ))}
        {lines.length === 0 ? (
          <tr>
            <td colSpan={10} className="muted">
              No lines.
            </td>
          </tr>
        ) : null}
      </tbody>
    </table>
  );
}
