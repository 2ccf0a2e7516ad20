// Issue 12: the operator console in a real browser (Playwright driving Debian's Chromium) against a
// private stack started like `npm start`: sign in, find an account, top it up, start the run of an
// ended month (moving billing's test clock), open the bill and its explanation, download its PDF;
// inspect and replay a usage dead letter. Every action goes through the console's proxy to the
// same REST endpoints curl uses.
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BrowserContext, chromium, Page, Request } from 'playwright-core';
import { lastEndedPeriod } from '../src/client/periods';
import { consoleStackInfo } from './console-stack';

const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
// CONSOLE_SCREENSHOTS=1 keeps the screenshots in docs/console (npm run console:screenshots)
const SCREENSHOTS =
  process.env['CONSOLE_SCREENSHOTS'] === '1'
    ? join(__dirname, '..', '..', '..', 'docs', 'console')
    : mkdtempSync(join(tmpdir(), 'console-shots-'));

const stack = consoleStackInfo();
const consoleUrl = `http://127.0.0.1:${stack.consolePort}`;
type App = keyof typeof stack.ports;

async function rest<T>(app: App, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const response = await fetch(`http://127.0.0.1:${stack.ports[app]}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${stack.token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
}

async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

function previousPeriod(period: string): string {
  const [year, month] = period.split('-').map(Number);
  return month === 1 ? `${year - 1}-12` : `${year}-${String(month - 1).padStart(2, '0')}`;
}

function nextPeriod(period: string): string {
  const [year, month] = period.split('-').map(Number);
  return month === 12 ? `${year + 1}-01` : `${year}-${String(month + 1).padStart(2, '0')}`;
}

describe('#12 operator console in Chromium (Playwright) against a private npm-start stack', () => {
  // the month to bill: the last one ended by the wall clock (accounts are created now, so the
  // scheduler's look-back, which starts at the first account's month, leaves it to the operator)
  const month = lastEndedPeriod(new Date());
  const accountId = `console-e2e-${Date.now().toString(36)}`;
  let subscriptionId = '';
  let context: BrowserContext;
  let page: Page;
  let profile: string;
  const apiRequests: Request[] = [];
  const allUrls: string[] = [];

  async function shot(name: string): Promise<void> {
    await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true, animations: 'disabled' });
  }

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    // the data an operator finds: accounts (created over REST: the console has no sign-up page)
    for (const [id, name] of [
      [accountId, 'Console E2E Telecom'],
      [`${accountId}-globex`, 'Globex Support Center'],
      [`${accountId}-initech`, 'Initech Helpdesk'],
    ]) {
      expect((await rest('subscription', 'POST', '/v1/accounts', { id, name })).status).toBe(201);
    }
    const subscription = await rest<{ id: string }>('subscription', 'POST', '/v1/subscriptions', {
      accountId,
      productCode: 'basic-cec',
      quantity: 4,
      billingMode: 'pay_per_use',
      enabledAt: `${month}-01T00:00:00+08:00`,
    });
    expect(subscription.status).toBe(201);
    subscriptionId = subscription.body.id;
    // billing and metering learn the account and the subscription over NATS
    await eventually('billing knows the account', async () =>
      (await rest('billing', 'GET', `/v1/accounts/${accountId}/balance`)).status === 200 ? true : undefined,
    );
    expect(
      (await rest('billing', 'POST', '/v1/discounts', { accountId, rate: '0.10', effectiveFrom: `${month}-16` }))
        .status,
    ).toBe(201);
    await eventually("metering has the month's usage", async () => {
      const usage = await rest<{ quantityDays: number }>(
        'metering',
        'GET',
        `/v1/usage?subscriptionId=${subscriptionId}&period=${month}`,
      );
      return usage.status === 200 && usage.body.quantityDays > 0 ? true : undefined;
    });
    // a usage event metering refuses (R6.3): dead-lettered, for the dead-letters page
    await rest('metering', 'POST', '/v1/usage-events', {
      events: [
        { id: `${accountId}-bad`, subscriptionId, quantity: 1_000_001, timestamp: `${month}-20T10:00:00+08:00` },
      ],
    });

    profile = mkdtempSync(join(tmpdir(), 'console-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      acceptDownloads: true,
      viewport: { width: 1280, height: 900 },
      timeout: 60_000,
    });
    // a loaded machine (CI, other suites) is slow, not broken: wait up to 30 s for what a step shows
    context.setDefaultTimeout(30_000);
    page = context.pages()[0] ?? (await context.newPage());
    page.on('request', (request) => {
      allUrls.push(request.url());
      if (new URL(request.url()).pathname.startsWith('/api/')) apiRequests.push(request);
    });
  }, 150_000);

  afterAll(async () => {
    await context?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
    await rest('billing', 'DELETE', '/v1/test/clock').catch(() => undefined);
  });

  it("signs in with the operator token: a wrong one shows the API's UNAUTHORIZED; no token in a URL", async () => {
    await page.goto(consoleUrl);
    await page.getByLabel('Operator token').fill('not-the-operator-token-123456');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'UNAUTHORIZED' }).waitFor();
    await shot('sign-in');

    await page.getByLabel('Operator token').fill(stack.token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('link', { name: 'Billing runs' }).waitFor();
    expect(page.url()).toBe(`${consoleUrl}/accounts`);
    expect(allUrls.some((url) => url.includes(stack.token))).toBe(false);
  });

  it('finds an account by a prefix of its name and opens it', async () => {
    await page.getByLabel('Search accounts').fill('console e2e');
    await page.getByRole('button', { name: 'Search' }).click();
    const link = page.getByRole('link', { name: accountId, exact: true });
    await link.waitFor();
    // the search went to GET /v1/accounts on subscription, through the proxy
    expect(
      apiRequests.some((request) =>
        request.url().endsWith(`/api/subscription/v1/accounts?search=console+e2e&limit=25`),
      ),
    ).toBe(true);
    await page.getByLabel('Search accounts').fill('');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('link', { name: `${accountId}-initech` }).waitFor();
    await shot('accounts');

    await page.getByLabel('Search accounts').fill('console e2e');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('link', { name: accountId, exact: true }).click();
    await page.getByRole('heading', { name: 'Console E2E Telecom' }).waitFor();
    await page.getByTestId('balance').filter({ hasText: '0.00 USD' }).waitFor();
  });

  it('R7.5 tops it up: a bad amount is refused in the form, a good one is credited (POST top-ups)', async () => {
    await page.getByLabel('Amount (USD)').fill('12.345');
    await page.getByRole('button', { name: 'Top up' }).click();
    await page.getByRole('alert').filter({ hasText: 'INVALID_AMOUNT' }).waitFor();

    await page.getByLabel('Amount (USD)').fill('1000');
    await page.getByRole('button', { name: 'Top up' }).click();
    await page.getByRole('status').filter({ hasText: 'Topped up 1,000.00 USD' }).waitFor();
    await page.getByTestId('balance').filter({ hasText: '1,000.00 USD' }).waitFor();
    const balance = await rest<{ balance: string }>('billing', 'GET', `/v1/accounts/${accountId}/balance`);
    expect(balance.body.balance).toBe('1000.00');
  });

  it('R7.2 runs an ended month: PERIOD_NOT_ENDED while the test clock is in it, billed once past', async () => {
    await page.getByRole('link', { name: 'Test clock' }).click();
    await page.getByLabel('Move to (ISO-8601 with offset)').fill(`${month}-15T12:00:00+08:00`);
    await page.getByRole('button', { name: 'Move clock' }).click();
    await page
      .getByTestId('clock-now')
      .filter({ hasText: `${month}-15T12:00:00+08:00` })
      .waitFor();

    await page.getByRole('link', { name: 'Billing runs' }).click();
    // the form offers the month billing's clock ended last (the test clock's), then takes the one typed
    await page.locator('#run-period:enabled').waitFor();
    expect(await page.locator('#run-period').inputValue()).toBe(previousPeriod(month));
    await page.getByLabel('Month (YYYY-MM, UTC+8; it must have ended)').fill(month);
    await page.getByRole('button', { name: 'Start run' }).click();
    // the API's own error, as it answered it
    await page.getByRole('alert').filter({ hasText: 'PERIOD_NOT_ENDED' }).waitFor();

    await page.getByRole('link', { name: 'Test clock' }).click();
    await page.getByLabel('Move to (ISO-8601 with offset)').fill(`${nextPeriod(month)}-01T00:00:05+08:00`);
    await page.getByRole('button', { name: 'Move clock' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `Clock now ${nextPeriod(month)}-01T00:00:05+08:00` })
      .waitFor();

    await page.getByRole('link', { name: 'Billing runs' }).click();
    await page.getByLabel('Month (YYYY-MM, UTC+8; it must have ended)').fill(month);
    await page.getByRole('button', { name: 'Start run' }).click();
    await page.waitForURL(/\/runs\/[^/]+$/);
    await page.locator('.badge-completed').first().waitFor({ timeout: 60_000 });
    await page
      .getByTestId('run-progress')
      .filter({ hasText: /of \d+ accounts \(100%\)/ })
      .waitFor();
    await shot('run');
    await page.getByRole('link', { name: 'All runs' }).click();
    await page.getByRole('table', { name: 'billing runs' }).getByText(month).first().waitFor();
    await shot('runs');
  });

  it('R4/R5 opens the bill: its lines and the explanation of each line, which matches the stored line', async () => {
    const bills = await eventually('the bill of the month', async () => {
      const answer = await rest<Array<{ id: string; total: string }>>(
        'billing',
        'GET',
        `/v1/bills?accountId=${accountId}&period=${month}`,
      );
      return answer.body.length === 1 ? answer.body : undefined;
    });
    await page.getByRole('link', { name: 'Accounts' }).click();
    await page.getByLabel('Search accounts').fill(accountId);
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('link', { name: accountId, exact: true }).click();
    await page.getByRole('table', { name: 'bills' }).getByRole('link', { name: bills[0].id }).waitFor();
    await page.getByTestId('upcoming').waitFor();
    await page.getByRole('table', { name: 'ledger' }).getByText('deduction').waitFor();
    await shot('account');
    await page.getByRole('table', { name: 'bills' }).getByRole('link', { name: bills[0].id }).click();
    await page.getByRole('heading', { name: `Bill ${bills[0].id}` }).waitFor();
    const [whole, cents] = bills[0].total.split('.');
    await page
      .getByTestId('bill-total')
      .filter({ hasText: `${Number(whole).toLocaleString('en-US')}.${cents} USD` })
      .waitFor();
    await page.getByLabel('explanation of line 1').getByText('matches the stored line').waitFor();
    await shot('bill');
  });

  it('downloads the bill as PDF and HTML, the token in the Authorization header only', async () => {
    const billId = decodeURIComponent(page.url().split('/bills/')[1]);
    for (const format of ['pdf', 'html'] as const) {
      const path = `/api/billing/v1/bills/${billId}/document${format === 'pdf' ? '?format=pdf' : ''}`;
      const requested = page.waitForRequest((request) => request.url() === `${consoleUrl}${path}`);
      const download = page.waitForEvent('download');
      await page.getByRole('button', { name: `Download ${format.toUpperCase()}` }).click();
      const request = await requested;
      expect((await request.allHeaders())['authorization']).toBe(`Bearer ${stack.token}`);
      expect(request.url()).not.toContain(stack.token);
      const response = await request.response();
      expect(response?.status()).toBe(200);
      expect((await response?.headerValue('content-type')) ?? '').toContain(
        format === 'pdf' ? 'application/pdf' : 'text/html',
      );
      const saved = await download;
      expect(saved.suggestedFilename()).toBe(`bill-${billId}.${format}`);
      const bytes = readFileSync(await saved.path());
      if (format === 'pdf') expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
      else expect(bytes.toString('utf8')).toContain('Console E2E Telecom');
    }
  });

  it('R6.3 inspects a usage dead letter and replays it: refused again, with the reason', async () => {
    await page.getByRole('link', { name: 'Dead letters' }).click();
    const table = page.getByRole('table', { name: 'usage dead letters' });
    await table.getByText('VALIDATION_FAILED').first().waitFor();
    await table.getByRole('button', { name: 'Inspect' }).first().click();
    await table
      .locator('pre.payload')
      .filter({ hasText: `${accountId}-bad` })
      .waitFor();
    await shot('dead-letters');
    await table.getByRole('button', { name: 'Replay' }).first().click();
    await page.getByRole('status').filter({ hasText: 'refused again: VALIDATION_FAILED' }).waitFor();
  });

  it('never put the token in a URL, and sent it on every API call', async () => {
    expect(allUrls.filter((url) => url.includes(stack.token))).toEqual([]);
    const headers = await Promise.all(apiRequests.map((request) => request.allHeaders()));
    expect(headers.length).toBeGreaterThan(20);
    // every call after signing in carries the token (the first one tried the wrong token on purpose)
    expect(headers.slice(1).every((h) => h['authorization'] === `Bearer ${stack.token}`)).toBe(true);
  });
});
