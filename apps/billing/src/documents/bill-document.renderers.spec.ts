import { DateTime } from 'luxon';
import { Money } from '@cec/kernel';
import { billDocumentOf, BillDocumentSource, BillLineView } from '@cec/billing-application';
import { pdfText } from '../test/support/pdf-text';
import { renderBillDocumentHtml } from './bill-document.html-renderer';
import { pdfSafeText, renderBillDocumentPdf } from './bill-document.pdf-renderer';

const usd = (value: string): Money => Money.ofCents(value);
const at = (iso: string): DateTime => DateTime.fromISO(iso, { setZone: true });

function usage(
  subscriptionId: string,
  amounts: [string, string, string],
  kind: BillLineView['kind'] = 'usage',
  forPeriod = '2026-04',
): BillLineView {
  return {
    kind,
    subscriptionId,
    productCode: 'basic-cec',
    forPeriod,
    quantityDays: 150,
    daysInPeriod: 30,
    listAmount: usd(amounts[0]),
    discountAmount: usd(amounts[1]),
    amount: usd(amounts[2]),
  };
}

const HOSTILE = '<script>alert("x")</script> & \'Co\'';

// E7 (R4.6) with 15 %, E5's deduction from a balance of 100.00, and an adjustment of March (R6.2)
const source: BillDocumentSource = {
  bill: {
    id: 'bill_1',
    accountId: 'acc-1',
    period: '2026-04',
    runId: 'run_1',
    currency: 'USD',
    total: usd('213.00'),
    paidAmount: usd('100.00'),
    outstandingAmount: usd('113.00'),
    status: 'partially_paid',
    issuedAt: at('2026-05-01T00:00:05+08:00'),
    lines: [
      usage('sub-1', ['250.00', '37.50', '212.50']),
      usage('sub-2', ['0.50', '0.00', '0.50'], 'adjustment', '2026-03'),
    ],
  },
  account: { id: 'acc-1', name: HOSTILE },
  issueEntry: {
    id: 'led_1',
    type: 'deduction',
    amount: usd('-100.00'),
    balanceAfter: usd('0.00'),
    billId: 'bill_1',
    reference: null,
    createdAt: at('2026-05-01T00:00:05+08:00'),
  },
  input: null,
  asOf: at('2026-05-02T09:00:00+08:00'),
};

describe('#12 bill document renderers', () => {
  const document = billDocumentOf(source);

  it('HTML: every interpolated value is escaped (a hostile account name is text, never markup)', () => {
    const page = renderBillDocumentHtml(document);
    expect(page).not.toContain('<script>');
    expect(page).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;Co&#39;');
    expect(page.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(page).toContain('<meta charset="utf-8"');
  });

  it('HTML: R2.1 R4.4 R6.2 R7.4 period in UTC+8, line amounts, adjustment month, totals, balance after', () => {
    const page = renderBillDocumentHtml(document);
    for (const text of [
      '2026-04 (2026-04-01 00:00 – 2026-05-01 00:00 UTC+8)',
      'Adjustment of 2026-03',
      '212.50',
      '37.50',
      '250.00',
      '0.50',
    ]) {
      expect(page).toContain(text);
    }
    expect(page).toMatch(/<th>Total<\/th>\s*<td>213\.00 USD<\/td>/);
    expect(page).toMatch(/<th>Paid<\/th>\s*<td>100\.00 USD<\/td>/);
    expect(page).toMatch(/<th>Outstanding<\/th>\s*<td>113\.00 USD<\/td>/);
    expect(page).toMatch(/<th>Balance after deduction<\/th>\s*<td>0\.00 USD/);
  });

  it('PDF: its text read back holds the period, the lines amounts, the adjustment month and the totals', async () => {
    const pdf = await renderBillDocumentPdf(document);
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const { text, pages } = await pdfText(pdf);
    expect(pages).toBe(1);
    expect(text).toContain('2026-04-01 00:00 – 2026-05-01 00:00 UTC+8');
    expect(text).toContain('Adjustment of 2026-03');
    for (const amount of ['212.50', '37.50', '250.00', '0.50', '213.00 USD', '100.00 USD', '113.00 USD', '0.00 USD'])
      expect(text).toContain(amount);
    expect(text).toMatch(/Balance after deduction\s+0\.00 USD/);
    expect(text).toContain('<script>alert("x")</script>');
  });

  it('PDF: many lines run over pages, each line printed once', async () => {
    const lines = Array.from({ length: 60 }, (_, index) =>
      usage(`sub-${String(index).padStart(3, '0')}`, ['1.00', '0.00', '1.00']),
    );
    const many = billDocumentOf({ ...source, bill: { ...source.bill, lines, total: usd('60.00') } });
    const { text, pages } = await pdfText(await renderBillDocumentPdf(many));
    expect(pages).toBeGreaterThan(1);
    for (const line of lines) expect(text.split(line.subscriptionId).length - 1).toBe(1);
  });

  it('#12 PDF: an enterprise name in Chinese prints as written (Noto Sans SC embedded), beside Latin text and amounts', async () => {
    const name = '深圳市客服中心科技有限公司 (Café – “CEC”)';
    const chinese = billDocumentOf({ ...source, account: { id: 'acc-1', name } });
    const { text } = await pdfText(await renderBillDocumentPdf(chinese));
    expect(text).toContain(name);
    expect(text).not.toContain('?');
    for (const amount of ['212.50', '37.50', '250.00']) expect(text).toContain(amount);
  });

  it('PDF fallback without the font files: characters Helvetica cannot print become "?" (the HTML keeps them)', () => {
    expect(pdfSafeText('Acme – Café “x” 客服中心')).toBe('Acme – Café “x” ????');
    expect(renderBillDocumentHtml(billDocumentOf({ ...source, account: { id: 'acc-1', name: '客服中心' } }))).toContain(
      '客服中心',
    );
  });
});
