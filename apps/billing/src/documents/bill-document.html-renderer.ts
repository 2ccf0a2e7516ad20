import escapeHtml from 'escape-html';
import type { BillDocument, BillDocumentLine } from '@cec/billing-application';

// Issue 12: the bill document as print-ready HTML (A4 landscape). Every interpolated value goes
// through escape-html unless it is markup made by `html` itself: an account name such as
// `<script>` is shown as text, never run.

/** Markup made by {@link html}: the only thing interpolated without escaping. */
class SafeHtml {
  constructor(readonly markup: string) {}
}

type HtmlValue = string | SafeHtml | readonly SafeHtml[];

function markupOf(value: HtmlValue): string {
  if (value instanceof SafeHtml) return value.markup;
  if (typeof value === 'string') return escapeHtml(value);
  return value.map((item) => item.markup).join('');
}

/** A tagged template that escapes every interpolated string. */
function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  return new SafeHtml(strings.reduce((out, text, index) => out + markupOf(values[index - 1]) + text));
}

const STYLE = `
  @page { size: A4 landscape; margin: 12mm; }
  body { font-family: "Helvetica Neue", Helvetica, Arial, sans-serif; font-size: 10pt; color: #111; }
  body { margin: 0 auto; max-width: 277mm; }
  h1 { font-size: 18pt; margin: 0 0 4mm; }
  table { border-collapse: collapse; width: 100%; }
  .facts th { text-align: left; font-weight: normal; color: #555; padding: 1mm 4mm 1mm 0; width: 42mm; }
  .facts td { padding: 1mm 0; }
  .lines { margin-top: 6mm; }
  .lines th, .lines td { border-bottom: 0.3mm solid #ccc; padding: 1.5mm 1.5mm; vertical-align: top; }
  .lines th { background: #f2f2f2; text-align: left; font-size: 8.5pt; }
  .num { text-align: right; white-space: nowrap; }
  .adjustment td { background: #fff8e6; }
  .summary { margin-top: 6mm; width: auto; margin-left: auto; }
  .summary th { text-align: left; font-weight: normal; padding: 1mm 8mm 1mm 0; }
  .summary td { text-align: right; padding: 1mm 0; white-space: nowrap; }
  .summary .total th, .summary .total td { font-weight: bold; border-top: 0.3mm solid #111; }
  .note { color: #555; font-size: 8.5pt; }
  tr { page-break-inside: avoid; }
`;

function lineRow(line: BillDocumentLine): SafeHtml {
  return html`<tr class="${line.kind}">
    <td class="num">${line.position}</td>
    <td>${line.description}</td>
    <td>${line.productCode}</td>
    <td>${line.subscriptionId}</td>
    <td class="num">${line.unitsTimesDays}</td>
    <td class="num">${line.quantityDays}</td>
    <td class="num">${line.daysInPeriod}</td>
    <td class="num">${line.unitPrice}</td>
    <td class="num">${line.discountRate}</td>
    <td class="num">${line.listAmount}</td>
    <td class="num">${line.discountAmount}</td>
    <td class="num">${line.amount}</td>
  </tr>`;
}

/** The whole document, `<!DOCTYPE html>` to `</html>`, UTF-8. */
export function renderBillDocumentHtml(document: BillDocument): string {
  const { balance, currency } = document;
  const note = balance.note ? html`<div class="note">${balance.note}</div>` : html``;
  return html`<!DOCTYPE html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <title>Bill ${document.billId} – ${document.account.name} – ${document.period}</title>
        <style>
          ${new SafeHtml(STYLE)}
        </style>
      </head>
      <body>
        <h1>Bill ${document.billId}</h1>
        <table class="facts">
          <tr>
            <th>Enterprise</th>
            <td>${document.account.name}</td>
          </tr>
          <tr>
            <th>Account</th>
            <td>${document.account.id}</td>
          </tr>
          <tr>
            <th>Period</th>
            <td>${document.period} (${document.periodRange})</td>
          </tr>
          <tr>
            <th>Issue date</th>
            <td>${document.issueDate} (issued ${document.issuedAt})</td>
          </tr>
          <tr>
            <th>Status</th>
            <td>${document.status} as of ${document.asOf}</td>
          </tr>
          <tr>
            <th>Currency</th>
            <td>${currency}</td>
          </tr>
        </table>
        <table class="lines">
          <thead>
            <tr>
              <th class="num">#</th>
              <th>Line</th>
              <th>Product</th>
              <th>Subscription</th>
              <th class="num">Units × days</th>
              <th class="num">Quantity-days</th>
              <th class="num">Days in month</th>
              <th class="num">List price / unit / month</th>
              <th class="num">Discount</th>
              <th class="num">List amount</th>
              <th class="num">Discount amount</th>
              <th class="num">Amount</th>
            </tr>
          </thead>
          <tbody>
            ${document.lines.map(lineRow)}
          </tbody>
        </table>
        <table class="summary">
          <tr>
            <th>List amount</th>
            <td>${document.listTotal} ${currency}</td>
          </tr>
          <tr>
            <th>Discounts</th>
            <td>${document.discountTotal} ${currency}</td>
          </tr>
          <tr class="total">
            <th>Total</th>
            <td>${document.total} ${currency}</td>
          </tr>
          <tr>
            <th>Paid</th>
            <td>${document.paid} ${currency}</td>
          </tr>
          <tr>
            <th>Outstanding</th>
            <td>${document.outstanding} ${currency}</td>
          </tr>
          <tr>
            <th>Deducted from the balance at issue</th>
            <td>${balance.deducted} ${currency}</td>
          </tr>
          <tr>
            <th>${balance.label}</th>
            <td>${balance.amount === 'unchanged' ? balance.amount : `${balance.amount} ${currency}`}${note}</td>
          </tr>
        </table>
        <p class="note">
          Amounts in ${currency}, rounded to cents half away from zero per line. Days and months are in UTC+8.
          Adjustment lines bill late usage of the month they name. Paid and outstanding are as of ${document.asOf}.
        </p>
      </body>
    </html> `.markup;
}
