import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import PDFDocument from 'pdfkit';
import type { BillDocument, BillDocumentLine } from '@cec/billing-application';

// Issue 12: the bill document as a PDF (A4 landscape) made by pdfkit, in Noto Sans SC (Google's
// OFL font, from the npm package @expo-google-fonts/noto-sans-sc): Latin, Greek, Cyrillic and
// Chinese text (an enterprise's name in Chinese) print as written; pdfkit embeds only the glyphs
// used. Should the font files be missing, the document falls back to pdfkit's built-in Helvetica,
// whose WinAnsi encoding cannot print other characters: those become "?" rather than wrong glyphs.

const MARGIN = 36;
const SIZE = 8;
const FONT_PACKAGE = '@expo-google-fonts/noto-sans-sc';
const FONT_FILES = { regular: '400Regular/NotoSansSC_400Regular.ttf', bold: '700Bold/NotoSansSC_700Bold.ttf' } as const;

interface Fonts {
  readonly regular: string;
  readonly bold: string;
  /** What a text becomes in these fonts. */
  readonly text: (value: string) => string;
}

let embedded: { regular: Buffer; bold: Buffer } | null | undefined;

/** The font files, read once per process (null when the package is not installed). */
function embeddedFonts(): { regular: Buffer; bold: Buffer } | null {
  if (embedded === undefined) {
    try {
      // resolved at run time from this file (dist/apps/billing/main.js or its source), never bundled
      const resolve = createRequire(__filename).resolve;
      const root = dirname(resolve(`${FONT_PACKAGE}/package.json`));
      embedded = { regular: readFileSync(join(root, FONT_FILES.regular)), bold: readFileSync(join(root, FONT_FILES.bold)) };
    } catch {
      embedded = null;
    }
  }
  return embedded;
}

/** Registers the document's fonts: Noto Sans SC, else Helvetica (see the note above). */
function fontsOf(doc: PDFKit.PDFDocument): Fonts {
  const files = embeddedFonts();
  if (files === null) return { regular: 'Helvetica', bold: 'Helvetica-Bold', text: pdfSafeText };
  doc.registerFont('body', files.regular);
  doc.registerFont('body-bold', files.bold);
  return { regular: 'body', bold: 'body-bold', text: (value) => value };
}

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

/** Text the standard fonts can print (the fallback): other characters become "?". */
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
      Subject: document.account.name,
    },
  });
  const bytes = collect(doc);
  const fonts = fontsOf(doc);
  const FONT = fonts.regular;
  const BOLD = fonts.bold;
  const pdfText = fonts.text;
  const left = MARGIN;
  const width = doc.page.width - 2 * MARGIN;
  const bottom = (): number => doc.page.height - MARGIN;

  doc
    .font(BOLD)
    .fontSize(16)
    .text(pdfText(`Bill ${document.billId}`), left, MARGIN);
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
    doc.fillColor('#000000').text(pdfText(value), left + 110, y, { width: width - 110 });
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
    const cells = COLUMNS.map((column) => pdfText(column.value(line)));
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
    doc.text(pdfText(value), summaryLeft + labelWidth, y, { width: valueWidth, align: 'right' });
    doc.y = y + 14;
  }
  if (balance.note)
    doc
      .font(FONT)
      .fontSize(8)
      .fillColor('#555555')
      .text(pdfText(balance.note), summaryLeft, doc.y, { width: labelWidth + valueWidth });
  doc.moveDown(1);
  doc
    .font(FONT)
    .fontSize(8)
    .fillColor('#555555')
    .text(
      pdfText(
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
