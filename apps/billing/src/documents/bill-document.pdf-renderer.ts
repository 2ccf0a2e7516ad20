import PDFDocument from 'pdfkit';
import type { BillDocument, BillDocumentLine } from '@cec/billing-application';

// Issue 12: the bill document as a PDF (A4 landscape) with pdfkit's built-in Helvetica. Those
// standard fonts encode WinAnsi (Latin-1 and a few signs) only: any other character (e.g. an
// account name in Chinese) is printed as "?" rather than as a wrong glyph. The HTML document
// shows every character.

const MARGIN = 36;
const FONT = 'Helvetica';
const BOLD = 'Helvetica-Bold';
const SIZE = 8;

interface Column {
  readonly title: string;
  readonly width: number;
  readonly numeric: boolean;
  readonly value: (line: BillDocumentLine) => string;
}

const COLUMNS: readonly Column[] = [
  { title: '#', width: 18, numeric: true, value: (line) => line.position },
  { title: 'Line', width: 102, numeric: false, value: (line) => line.description },
  { title: 'Product', width: 80, numeric: false, value: (line) => line.productCode },
  { title: 'Subscription', width: 84, numeric: false, value: (line) => line.subscriptionId },
  { title: 'Units × days', width: 92, numeric: true, value: (line) => line.unitsTimesDays },
  { title: 'Quantity-days', width: 52, numeric: true, value: (line) => line.quantityDays },
  { title: 'Days in month', width: 36, numeric: true, value: (line) => line.daysInPeriod },
  { title: 'List price / unit / month', width: 62, numeric: true, value: (line) => line.unitPrice },
  { title: 'Discount', width: 48, numeric: true, value: (line) => line.discountRate },
  { title: 'List amount', width: 66, numeric: true, value: (line) => line.listAmount },
  { title: 'Discount amount', width: 64, numeric: true, value: (line) => line.discountAmount },
  { title: 'Amount', width: 66, numeric: true, value: (line) => line.amount },
];

/** Characters WinAnsi has beyond Latin-1 (0x80-0x9F), which the standard fonts can print. */
const WIN_ANSI_EXTRA = new Set('€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ');

/** Text the standard fonts can print: other characters become "?" (see the note above). */
export function pdfSafeText(text: string): string {
  return [...text]
    .map((char) => {
      const code = char.codePointAt(0) ?? 0;
      const printable = (code >= 0x20 && code <= 0x7e) || (code >= 0xa0 && code <= 0xff) || WIN_ANSI_EXTRA.has(char);
      return printable ? char : '?';
    })
    .join('');
}

function collect(doc: PDFKit.PDFDocument): Promise<Buffer> {
  const chunks: Buffer[] = [];
  return new Promise((resolve, reject) => {
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
}

/** The whole document as PDF bytes. */
export async function renderBillDocumentPdf(document: BillDocument): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4',
    layout: 'landscape',
    margin: MARGIN,
    info: {
      Title: pdfSafeText(`Bill ${document.billId} - ${document.period}`),
      Author: 'CEC billing',
      Subject: pdfSafeText(document.account.name),
    },
  });
  const bytes = collect(doc);
  const left = MARGIN;
  const width = doc.page.width - 2 * MARGIN;
  const bottom = (): number => doc.page.height - MARGIN;

  doc
    .font(BOLD)
    .fontSize(16)
    .text(pdfSafeText(`Bill ${document.billId}`), left, MARGIN);
  doc.moveDown(0.5);
  const facts: Array<[string, string]> = [
    ['Enterprise', document.account.name],
    ['Account', document.account.id],
    ['Period', `${document.period} (${document.periodRange})`],
    ['Issue date', `${document.issueDate} (issued ${document.issuedAt})`],
    ['Status', `${document.status} as of ${document.asOf}`],
    ['Currency', document.currency],
  ];
  for (const [label, value] of facts) {
    const y = doc.y;
    doc.font(FONT).fontSize(9).fillColor('#555555').text(label, left, y, { width: 110 });
    doc.fillColor('#000000').text(pdfSafeText(value), left + 110, y, { width: width - 110 });
    doc.y = Math.max(doc.y, y + 12);
  }

  // the lines table, its header repeated on every page
  const heightOf = (cells: readonly string[], font: string): number => {
    doc.font(font).fontSize(SIZE);
    return (
      Math.max(...COLUMNS.map((column, index) => doc.heightOfString(cells[index], { width: column.width - 4 }))) + 6
    );
  };
  const row = (cells: readonly string[], font: string, shade: string | null): void => {
    const height = heightOf(cells, font);
    const top = doc.y;
    if (shade) doc.rect(left, top, width, height).fill(shade);
    doc.font(font).fontSize(SIZE).fillColor('#000000');
    let x = left;
    COLUMNS.forEach((column, index) => {
      doc.text(cells[index], x + 2, top + 3, { width: column.width - 4, align: column.numeric ? 'right' : 'left' });
      x += column.width;
    });
    doc
      .moveTo(left, top + height)
      .lineTo(left + width, top + height)
      .lineWidth(0.3)
      .strokeColor('#cccccc')
      .stroke();
    doc.y = top + height;
  };
  const titles = COLUMNS.map((column) => column.title);
  doc.y += 10;
  row(titles, BOLD, '#f2f2f2');
  for (const line of document.lines) {
    const cells = COLUMNS.map((column) => pdfSafeText(column.value(line)));
    if (doc.y + heightOf(cells, FONT) > bottom()) {
      doc.addPage();
      doc.y = MARGIN;
      row(titles, BOLD, '#f2f2f2');
    }
    row(cells, FONT, line.kind === 'adjustment' ? '#fff8e6' : null);
  }

  // the summary, right-aligned under the table
  const { balance, currency } = document;
  const summary: Array<[string, string, boolean]> = [
    ['List amount', `${document.listTotal} ${currency}`, false],
    ['Discounts', `${document.discountTotal} ${currency}`, false],
    ['Total', `${document.total} ${currency}`, true],
    ['Paid', `${document.paid} ${currency}`, false],
    ['Outstanding', `${document.outstanding} ${currency}`, false],
    ['Deducted from the balance at issue', `${balance.deducted} ${currency}`, false],
    [balance.label, balance.amount === 'unchanged' ? balance.amount : `${balance.amount} ${currency}`, false],
  ];
  const labelWidth = 200;
  const valueWidth = 100;
  const summaryLeft = left + width - labelWidth - valueWidth;
  if (doc.y + 14 * summary.length + 60 > bottom()) doc.addPage();
  doc.y += 10;
  for (const [label, value, bold] of summary) {
    const y = doc.y;
    doc
      .font(bold ? BOLD : FONT)
      .fontSize(9)
      .fillColor('#000000');
    doc.text(label, summaryLeft, y, { width: labelWidth });
    doc.text(pdfSafeText(value), summaryLeft + labelWidth, y, { width: valueWidth, align: 'right' });
    doc.y = y + 14;
  }
  if (balance.note)
    doc
      .font(FONT)
      .fontSize(8)
      .fillColor('#555555')
      .text(pdfSafeText(balance.note), summaryLeft, doc.y, { width: labelWidth + valueWidth });
  doc.moveDown(1);
  doc
    .font(FONT)
    .fontSize(8)
    .fillColor('#555555')
    .text(
      pdfSafeText(
        `Amounts in ${currency}, rounded to cents half away from zero per line. Days and months are in UTC+8. ` +
          `Adjustment lines bill late usage of the month they name. Paid and outstanding are as of ${document.asOf}.`,
      ),
      left,
      doc.y,
      { width },
    );
  doc.end();
  return bytes;
}
