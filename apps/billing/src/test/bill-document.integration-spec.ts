import { NatsConnection } from 'nats';
import { AccountCreatedEvent, SUBJECTS } from '@cec/contracts';
import {
  connectNats,
  publishJson,
  resetSchema,
  RunningTestApp,
  idleTableCounts,
  tableCounts,
  TEST_OPERATOR_TOKEN,
  useTestEnvironment,
} from '@cec/testing';
import { BILLING_ORM } from '../billing.module-def';
import { days, FakeCatalog, FakeMetering } from './support/fake-apps';
import {
  BillBody,
  billsOf,
  resetBillingStreams,
  runPeriod,
  startBilling,
  uniqueId,
  waitFor,
} from './support/billing-harness';
import { pdfText } from './support/pdf-text';

useTestEnvironment();

interface DocumentResponse {
  status: number;
  headers: Headers;
  bytes: Buffer;
  text: string;
}

const HOSTILE_NAME = '<script>alert("bill")</script> & Sons \'Ltd\'';

/** Issue 12: GET /v1/bills/:id/document, HTML and PDF, of bills issued by the real run. */
describe('billing: #12 bill documents (PostgreSQL + NATS)', () => {
  let nc: NatsConnection;
  let running: RunningTestApp;
  let metering: FakeMetering;
  let catalog: FakeCatalog;
  let acc: string;
  let september: BillBody;
  let october: BillBody;

  async function document(
    path: string,
    headers: Record<string, string> = {},
    token: string | null = TEST_OPERATOR_TOKEN,
  ): Promise<DocumentResponse> {
    const response = await fetch(`${running.api.baseUrl}${path}`, {
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    });
    const bytes = Buffer.from(await response.arrayBuffer());
    return { status: response.status, headers: response.headers, bytes, text: bytes.toString('utf8') };
  }

  beforeAll(async () => {
    await resetSchema(BILLING_ORM);
    nc = await connectNats();
    await resetBillingStreams(nc);
    metering = new FakeMetering(nc);
    catalog = new FakeCatalog(nc);
    running = await startBilling();
    acc = uniqueId('doc');
    // the enterprise's name as subscription announced it, hostile on purpose
    const created: AccountCreatedEvent = {
      id: `evt-${acc}`,
      occurredAt: '2025-01-01T00:00:00+08:00',
      accountId: acc,
      name: HOSTILE_NAME,
      currency: 'USD',
    };
    await publishJson(nc, SUBJECTS.accountCreated, created, created.id);
    await waitFor(
      async () => (await running.api.get(`/v1/accounts/${acc}/balance`)).status === 200,
      `account ${acc} in billing`,
    );
    // E7 (R4.6) in September 2026 (30 days): 50.00/agent/month, 10 agents from the 16th, 15 % off;
    // E5: a balance of 100.00
    catalog.price('doc-basic', '50.00');
    expect(
      (await running.api.post('/v1/discounts', { accountId: acc, rate: '0.15', effectiveFrom: '2026-09-01' })).status,
    ).toBe(201);
    expect(
      (await running.api.post(`/v1/accounts/${acc}/top-ups`, { amount: '100.00', reference: 'doc-1' })).status,
    ).toBe(201);
    metering.set(acc, `${acc}-s1`, '2026-09', days('2026-09', 16, 30, 10, 'doc-basic'));
    expect((await runPeriod(running.api, '2026-09')).status).toBe('completed');
    [september] = await billsOf(running.api, acc, '2026-09');
    // R6.2 late usage: the agents were there from the 15th; October all month; a top-up settles September first (R7.5)
    metering.set(acc, `${acc}-s1`, '2026-09', days('2026-09', 15, 30, 10, 'doc-basic'));
    metering.set(acc, `${acc}-s1`, '2026-10', days('2026-10', 1, 31, 10, 'doc-basic'));
    expect(
      (await running.api.post(`/v1/accounts/${acc}/top-ups`, { amount: '1000.00', reference: 'doc-2' })).status,
    ).toBe(201);
    expect((await runPeriod(running.api, '2026-10')).status).toBe('completed');
    [october] = await billsOf(running.api, acc, '2026-10');
  });

  afterAll(async () => {
    await running?.close();
    metering?.close();
    catalog?.close();
    await nc?.drain();
  });

  it('the bills are what E5/E7 and the adjustment of R6.2 say (the data the documents are checked against)', () => {
    // as issued (read before the second top-up): E5
    expect(september).toMatchObject({
      total: '212.50',
      paidAmount: '100.00',
      outstandingAmount: '112.50',
      status: 'partially_paid',
    });
    expect(september.lines).toEqual([
      expect.objectContaining({
        kind: 'usage',
        quantityDays: 150,
        listAmount: '250.00',
        discountAmount: '37.50',
        amount: '212.50',
      }),
    ]);
    // October: 310 quantity-days at 50.00 / 31 with 15 % (425.00);
    // September re-rated 160 (226.67) minus billed 150 (212.50)
    expect(october.lines).toEqual([
      expect.objectContaining({
        kind: 'usage',
        forPeriod: '2026-10',
        quantityDays: 310,
        daysInPeriod: 31,
        listAmount: '500.00',
        discountAmount: '75.00',
        amount: '425.00',
      }),
      expect.objectContaining({
        kind: 'adjustment',
        forPeriod: '2026-09',
        quantityDays: 10,
        daysInPeriod: 30,
        listAmount: '16.67',
        discountAmount: '2.50',
        amount: '14.17',
      }),
    ]);
    expect(october).toMatchObject({ total: '439.17', paidAmount: '439.17', outstandingAmount: '0.00', status: 'paid' });
  });

  it('#12 HTML by default: print-ready, UTF-8, a hostile account name escaped, every figure of the bill', async () => {
    const answer = await document(`/v1/bills/${october.id}/document`);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(answer.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
    expect(answer.headers.get('cache-control')).toBe('private, no-store');
    const page = answer.text;
    expect(page).not.toContain('<script>');
    expect(page).toContain('&lt;script&gt;alert(&quot;bill&quot;)&lt;/script&gt; &amp; Sons &#39;Ltd&#39;');
    expect(page).toContain(acc);
    expect(page).toContain(october.id);
    expect(page).toContain('2026-10 (2026-10-01 00:00 – 2026-11-01 00:00 UTC+8)');
    expect(page).toContain('Adjustment of 2026-09');
    for (const amount of [
      '425.00',
      '75.00',
      '500.00',
      '14.17',
      '2.50',
      '16.67',
      '15%',
      '50.00',
      '10 × 31',
      '10 × 16 - 150 billed',
    ])
      expect(page).toContain(amount);
    expect(page).toMatch(/<th>Total<\/th>\s*<td>439\.17 USD<\/td>/);
    expect(page).toMatch(/<th>Paid<\/th>\s*<td>439\.17 USD<\/td>/);
    expect(page).toMatch(/<th>Outstanding<\/th>\s*<td>0\.00 USD<\/td>/);
    // 100.00 + 1000.00 - 212.50 (September, settled by the top-up) - 439.17 (October's deduction) = 448.33
    expect(page).toMatch(/<th>Balance after deduction<\/th>\s*<td>448\.33 USD/);
    expect(page).toMatch(/<th>Deducted from the balance at issue<\/th>\s*<td>439\.17 USD/);
  });

  it('#12 PDF for Accept: application/pdf: its text holds line amounts, totals, balance after, period', async () => {
    const answer = await document(`/v1/bills/${october.id}/document`, { accept: 'application/pdf' });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('application/pdf');
    expect(answer.headers.get('content-disposition')).toBe(`attachment; filename="bill-2026-10-${acc}.pdf"`);
    const { text } = await pdfText(answer.bytes);
    expect(text).toContain('2026-10 (2026-10-01 00:00 – 2026-11-01 00:00 UTC+8)');
    expect(text).toContain(acc);
    expect(text).toContain(HOSTILE_NAME);
    expect(text).toContain('Adjustment of 2026-09');
    for (const figure of ['10 × 31', '10 × 16 - 150 billed', '50.00', '15%']) expect(text).toContain(figure);
    for (const line of october.lines) {
      for (const amount of [line.listAmount, line.discountAmount, line.amount]) expect(text).toContain(amount);
    }
    expect(text).toMatch(/Total\s+439\.17 USD/);
    expect(text).toMatch(/Paid\s+439\.17 USD/);
    expect(text).toMatch(/Outstanding\s+0\.00 USD/);
    expect(text).toMatch(/Balance after deduction\s+448\.33 USD/);
  });

  it('#12 R7.4 R7.5 ?format=pdf: September, settled by a top-up: paid 212.50, balance after 0.00', async () => {
    const answer = await document(`/v1/bills/${september.id}/document?format=pdf`, { accept: 'text/html' });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('application/pdf');
    const { text } = await pdfText(answer.bytes);
    expect(text).toContain('2026-09 (2026-09-01 00:00 – 2026-10-01 00:00 UTC+8)');
    for (const amount of ['250.00', '37.50', '212.50', '15%', '10 × 15']) expect(text).toContain(amount);
    expect(text).toMatch(/Total\s+212\.50 USD/);
    expect(text).toMatch(/Paid\s+212\.50 USD/);
    expect(text).toMatch(/Outstanding\s+0\.00 USD/);
    expect(text).toMatch(/Deducted from the balance at issue\s+100\.00 USD/);
    expect(text).toMatch(/Balance after deduction\s+0\.00 USD/);
    // without ?format the Accept header's preference decides, HTML when nothing is said
    const preferred = await document(`/v1/bills/${september.id}/document`, {
      accept: 'text/html;q=0.4, application/pdf',
    });
    expect(preferred.headers.get('content-type')).toBe('application/pdf');
    const any = await document(`/v1/bills/${september.id}/document`, { accept: '*/*' });
    expect(any.headers.get('content-type')).toBe('text/html; charset=utf-8');
  });

  it('#12 R8.1 unknown bill 404, bad id or format 400, not acceptable 406, no token 401; nothing changes', async () => {
    const before = await idleTableCounts('billing');
    const unknown = await document('/v1/bills/bill_nope/document?format=pdf');
    expect(unknown.status).toBe(404);
    expect(JSON.parse(unknown.text)).toEqual({
      statusCode: 404,
      code: 'BILL_NOT_FOUND',
      message: 'bill "bill_nope" does not exist',
    });
    const malformed = await document('/v1/bills/bad%20id!/document');
    expect(malformed.status).toBe(400);
    expect(JSON.parse(malformed.text)).toMatchObject({
      code: 'VALIDATION_FAILED',
      message: expect.stringMatching(/^id /),
    });
    const format = await document(`/v1/bills/${october.id}/document?format=xml`);
    expect(format.status).toBe(400);
    expect(JSON.parse(format.text)).toEqual({
      statusCode: 400,
      code: 'VALIDATION_FAILED',
      message: 'format must be html or pdf',
    });
    const twice = await document(`/v1/bills/${october.id}/document?format=pdf&format=html`);
    expect(JSON.parse(twice.text)).toMatchObject({
      statusCode: 400,
      message: expect.stringMatching(/\bformat must be given once/),
    });
    const json = await document(`/v1/bills/${october.id}/document`, { accept: 'application/json' });
    expect(json.status).toBe(406);
    expect(JSON.parse(json.text)).toEqual({
      statusCode: 406,
      code: 'DOCUMENT_FORMAT_NOT_ACCEPTABLE',
      message: expect.stringMatching(/text\/html or application\/pdf/),
    });
    const anonymous = await document(`/v1/bills/${october.id}/document?format=pdf`, {}, null);
    expect(anonymous.status).toBe(401);
    expect(JSON.parse(anonymous.text)).toMatchObject({ code: 'UNAUTHORIZED' });
    expect(await tableCounts('billing')).toEqual(before);
  });

  it('#12 the OpenAPI document lists the route with both media types', async () => {
    type Operation = {
      parameters?: { name: string; in: string }[];
      security?: unknown[];
      responses: Record<string, { content?: Record<string, unknown> }>;
    };
    const openApi = await running.api.get<{ paths: Record<string, { get?: Operation }> }>('/docs-json');
    const operation = openApi.body.paths['/v1/bills/{id}/document']?.get;
    expect(operation?.parameters?.map((parameter) => `${parameter.in}:${parameter.name}`).sort()).toEqual([
      'path:id',
      'query:format',
    ]);
    expect(operation?.security).toEqual([{ bearer: [] }]);
    expect(Object.keys(operation?.responses['200']?.content ?? {}).sort()).toEqual(['application/pdf', 'text/html']);
    expect(Object.keys(operation?.responses ?? {})).toEqual(expect.arrayContaining(['400', '404', '406']));
  });
});
