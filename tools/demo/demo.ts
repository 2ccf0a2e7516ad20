/**
 * `npm run demo`: a month of billing in one command. With the four apps running (or starting them
 * itself), it loads the sample catalog if needed, creates three enterprise accounts whose CEC agents
 * and chatbot channels change during the last ended month, applies commercial discounts, tops up
 * balances, runs that month's billing and prints each bill and balance. Each run uses fresh accounts.
 * Issue 10: it also shows the upcoming bill, one bill's explanation and the prepaid guard (a low
 * balance threshold, usage that crosses it, the balance_low / balance_exhausted events received on
 * NATS and the guard as the balance API shows it).
 */
import { ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import { connect, NatsConnection, Subscription } from 'nats';
import { billingCalendar, Period } from '@cec/kernel';
import { AccountBalanceGuardEvent, SUBJECTS } from '@cec/contracts';
import { DEFAULT_PORTS, DEFAULT_OPERATOR_TOKEN_FILE } from '@cec/platform';
import { SAMPLE_PRICES, SAMPLE_PRODUCTS } from '@cec/catalog-domain';
import { APPS, waitHealthy } from '../stack/services';
import { followRun, RunProgressBody } from '../progress/run-progress-bar';

const root = join(__dirname, '..', '..');
const port = (app: (typeof APPS)[number]): number => Number(process.env[`${app.toUpperCase()}_PORT`] || DEFAULT_PORTS[app]);

let token = '';
let step = 0;
const STEPS = 12;

function progress(message: string): void {
  step += 1;
  const width = 24;
  const filled = Math.round((step / STEPS) * width);
  process.stdout.write(`[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${step}/${STEPS} ${message}\n`);
}

async function call<T>(app: (typeof APPS)[number], method: string, path: string, body?: unknown, expected: number[] = [200, 201, 202]): Promise<T> {
  const response = await fetch(`http://127.0.0.1:${port(app)}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!expected.includes(response.status)) {
    throw new Error(`${method} ${app}${path} answered ${response.status}: ${text}`);
  }
  return (text ? JSON.parse(text) : null) as T;
}

async function poll<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function ensureStack(): Promise<ChildProcess | null> {
  const up = await Promise.all(APPS.map(async (app) => (await fetch(`http://127.0.0.1:${port(app)}/health`).catch(() => null))?.status === 200));
  if (up.every(Boolean)) return null;
  process.stdout.write('the apps are not running: starting them (npm start) for the demo\n');
  const child = spawn(process.execPath, [join(root, 'tools/run-ts.js'), join(root, 'tools/stack/start.ts')], { stdio: ['ignore', 'pipe', 'pipe'], env: process.env });
  let output = '';
  child.stdout?.on('data', (data: Buffer) => (output += data.toString()));
  child.stderr?.on('data', (data: Buffer) => (output += data.toString()));
  const healthy = await Promise.race([
    Promise.all(APPS.map((app) => waitHealthy(port(app), 120_000))).then((all) => all.every(Boolean)),
    new Promise<boolean>((resolve) => child.on('exit', () => resolve(false))),
  ]);
  if (!healthy) {
    child.kill('SIGTERM');
    throw new Error(`the platform did not start:\n${output.slice(-3000)}`);
  }
  return child;
}

function readToken(): string {
  const configured = (process.env['OPERATOR_TOKENS'] ?? '').split(',')[0]?.trim();
  if (configured) return configured;
  const file = join(root, process.env['OPERATOR_TOKEN_FILE'] || DEFAULT_OPERATOR_TOKEN_FILE);
  if (!existsSync(file)) throw new Error(`no OPERATOR_TOKENS and no token file at ${file}: start the platform with npm start first`);
  return readFileSync(file, 'utf8').trim();
}

interface Bill {
  id: string;
  accountId: string;
  period: string;
  total: string;
  paidAmount: string;
  outstandingAmount: string;
  status: string;
  lines: Array<{ kind: string; productCode: string; forPeriod: string; quantityDays: number; daysInPeriod: number; listAmount: string; discountAmount: string; amount: string }>;
}

interface ExplainedLine {
  kind: string;
  subscriptionId: string;
  forPeriod: string;
  listAmount: string;
  discountAmount: string;
  amount: string;
  netExact: string;
  groups: Array<{ dates: Array<{ from: string; to: string }>; quantity: number; productCode: string; unitPrice: string; discountRate: string; quantityDays: number; listAmount: string; netAmount: string }>;
}

function table(headers: string[], rows: string[][], rightAligned: number[]): string {
  const widths = headers.map((header, i) => Math.max(header.length, ...rows.map((row) => row[i].length)));
  const cell = (text: string, i: number): string => (rightAligned.includes(i) ? text.padStart(widths[i]) : text.padEnd(widths[i]));
  const line = `+${widths.map((w) => '-'.repeat(w + 2)).join('+')}+`;
  return [line, `| ${headers.map(cell).join(' | ')} |`, line, ...rows.map((row) => `| ${row.map(cell).join(' | ')} |`), line].join('\n');
}

async function main(): Promise<void> {
  const started = await ensureStack();
  try {
    token = readToken();
    const now = DateTime.utc();
    const period: Period = billingCalendar.lastEndedPeriod(now);
    const at = (day: number, time: string): string => `${period.toString()}-${String(day).padStart(2, '0')}T${time}+08:00`;
    process.stdout.write(`\nDemo: billing ${period.toString()} (the last month that has ended in UTC+8)\n\n`);

    progress('catalog: the five sample products (prices are sample data)');
    const products = await call<Array<{ code: string }>>('catalog', 'GET', '/v1/products');
    for (const product of SAMPLE_PRODUCTS) {
      if (products.some((p) => p.code === product.code)) continue;
      await call('catalog', 'POST', '/v1/products', product);
      await call('catalog', 'POST', `/v1/products/${product.code}/prices`, SAMPLE_PRICES[product.code]);
    }

    progress('accounts: three enterprises');
    const suffix = randomUUID().slice(0, 6);
    const accounts = [
      { id: `acme-${suffix}`, name: 'Acme Contact Center' },
      { id: `globex-${suffix}`, name: 'Globex Support' },
      { id: `initech-${suffix}`, name: 'Initech Helpdesk' },
    ];
    for (const account of accounts) await call('subscription', 'POST', '/v1/accounts', account);
    for (const account of accounts) {
      await poll(`billing to learn ${account.id}`, async () => ((await fetch(`http://127.0.0.1:${port('billing')}/v1/accounts/${account.id}/balance`, { headers: { authorization: `Bearer ${token}` } })).status === 200 ? true : undefined));
    }
    const [acme, globex, initech] = accounts.map((a) => a.id);

    progress('subscriptions: agents and channels that change during the month');
    const subscribe = async (accountId: string, productCode: string, quantity: number, enabledAt: string): Promise<string> =>
      (await call<{ id: string }>('subscription', 'POST', '/v1/subscriptions', { accountId, productCode, quantity, billingMode: 'pay_per_use', enabledAt })).id;
    const change = (id: string, body: Record<string, unknown>): Promise<unknown> => call('subscription', 'POST', `/v1/subscriptions/${id}/changes`, body);
    const acmeAgents = await subscribe(acme, 'basic-cec', 10, at(3, '09:30:00'));
    await change(acmeAgents, { effectiveAt: at(12, '10:00:00'), quantity: 14 });
    await change(acmeAgents, { effectiveAt: at(20, '14:00:00'), productCode: 'professional-cec' });
    const acmeVoice = await subscribe(acme, 'voice-chatbot', 2, at(1, '00:00:00'));
    const globexAgents = await subscribe(globex, 'advanced-cec', 5, at(8, '08:00:00'));
    const globexText = await subscribe(globex, 'text-chatbot', 4, at(1, '00:00:00'));
    await change(globexText, { effectiveAt: at(15, '12:00:00'), quantity: 8 });
    await change(globexText, { effectiveAt: at(15, '13:00:00'), quantity: 4 });
    await call('subscription', 'POST', `/v1/subscriptions/${globexText}/cancel`, { effectiveAt: at(25, '00:00:00') });
    const initechAgents = await subscribe(initech, 'professional-cec', 20, at(1, '00:00:00'));

    progress('metering: waiting for the usage timelines');
    for (const id of [acmeAgents, acmeVoice, globexAgents, globexText, initechAgents]) {
      await poll(`usage of ${id}`, async () => {
        const usage = await call<{ quantityDays: number }>('metering', 'GET', `/v1/usage?subscriptionId=${id}&period=${period.toString()}`, undefined, [200]);
        return usage.quantityDays > 0 ? usage : undefined;
      });
    }
    // the last change of each subscription must be visible too: wait for the Acme upgrade day
    await poll('the last changes', async () => {
      const usage = await call<{ quantityDays: number }>('metering', 'GET', `/v1/usage?subscriptionId=${globexText}&period=${period.toString()}`, undefined, [200]);
      return usage.quantityDays === 24 * 4 + 4 ? usage : undefined;
    });

    progress('discounts: 10 % on everything for Acme, 15 % on Professional CEC for Initech from the 10th');
    await call('billing', 'POST', '/v1/discounts', { accountId: acme, rate: '0.10', effectiveFrom: `${period.toString()}-01` });
    await call('billing', 'POST', '/v1/discounts', { accountId: initech, productCode: 'professional-cec', rate: '0.15', effectiveFrom: `${period.toString()}-10` });

    progress('top-ups: Acme 1000.00, Globex 100.00, Initech nothing');
    await call('billing', 'POST', `/v1/accounts/${acme}/top-ups`, { amount: '1000.00', reference: `demo-${suffix}-1` });
    await call('billing', 'POST', `/v1/accounts/${globex}/top-ups`, { amount: '100.00', reference: `demo-${suffix}-2` });

    progress(`upcoming bill (issue 10): what Acme would be billed for ${period.toString()}, before the run (nothing stored)`);
    const upcoming = await call<{ total?: string; countedThrough?: string; lines?: Bill['lines']; code?: string }>(
      'billing',
      'GET',
      `/v1/accounts/${acme}/upcoming-bill?period=${period.toString()}`,
      undefined,
      [200, 409],
    );
    // 409 PERIOD_ALREADY_BILLED: the scheduler billed the month first
    if (upcoming.lines) process.stdout.write(
      `${table(
        ['line', 'product', 'for', 'units x days', 'days', 'list', 'discount', 'amount'],
        upcoming.lines.map((line) => [line.kind, line.productCode, line.forPeriod, String(line.quantityDays), String(line.daysInPeriod), line.listAmount, line.discountAmount, line.amount]),
        [3, 4, 5, 6, 7],
      )}\nupcoming total ${upcoming.total} (days through ${upcoming.countedThrough})\n`,
    );

    progress(`billing run for ${period.toString()} (live progress: accounts, rate, ETA)`);
    const run = await call<{ id: string }>('billing', 'POST', '/v1/billing-runs', { period: period.toString() });
    const finished = await followRun(
      () => call<RunProgressBody>('billing', 'GET', `/v1/billing-runs/${run.id}`),
      (text) => process.stdout.write(text),
      process.stdout.isTTY === true,
    );
    if (finished.status !== 'completed') {
      const failures = await call<unknown>('billing', 'GET', `/v1/billing-runs/${run.id}/failures`);
      throw new Error(`the billing run ended ${finished.status}: ${JSON.stringify(failures)}`);
    }
    progress(`run completed: ${finished.billsIssued} bill(s) issued, total ${finished.total} USD`);

    progress('bills and balances');
    for (const account of accounts) {
      const bills = await call<Bill[]>('billing', 'GET', `/v1/bills?accountId=${account.id}&period=${period.toString()}`);
      const balance = await call<{ balance: string; outstanding: string; status: string }>('billing', 'GET', `/v1/accounts/${account.id}/balance`);
      process.stdout.write(`\n${account.name} (${account.id})\n`);
      for (const summary of bills) {
        const bill = await call<Bill>('billing', 'GET', `/v1/bills/${summary.id}`);
        process.stdout.write(
          `${table(
            ['line', 'product', 'for', 'units x days', 'days', 'list', 'discount', 'amount'],
            bill.lines.map((line) => [line.kind, line.productCode, line.forPeriod, String(line.quantityDays), String(line.daysInPeriod), line.listAmount, line.discountAmount, line.amount]),
            [3, 4, 5, 6, 7],
          )}\n`,
        );
        process.stdout.write(`bill ${bill.id}: total ${bill.total}  paid ${bill.paidAmount}  outstanding ${bill.outstandingAmount}  status ${bill.status}\n`);
      }
      process.stdout.write(`balance ${balance.balance} USD, outstanding ${balance.outstanding} USD, account ${balance.status}\n`);
    }
    progress('explanation (issue 10): where every cent of the Acme bill comes from');
    const [acmeBill] = await call<Bill[]>('billing', 'GET', `/v1/bills?accountId=${acme}&period=${period.toString()}`);
    if (acmeBill) {
      const explanation = await call<{ lines: ExplainedLine[] }>('billing', 'GET', `/v1/bills/${acmeBill.id}/explanation`);
      for (const line of explanation.lines) {
        process.stdout.write(`\n${line.kind} ${line.subscriptionId} ${line.forPeriod}: list ${line.listAmount}, discount ${line.discountAmount}, amount ${line.amount} (exact ${line.netExact})\n`);
        process.stdout.write(
          `${table(
            ['days', 'qty', 'product', 'unit price', 'rate', 'units x days', 'list (exact)', 'net (exact)'],
            line.groups.map((group) => [
              group.dates.map((range) => (range.from === range.to ? range.from.slice(8) : `${range.from.slice(8)}-${range.to.slice(8)}`)).join(','),
              String(group.quantity),
              group.productCode,
              group.unitPrice,
              group.discountRate,
              String(group.quantityDays),
              group.listAmount.slice(0, 14),
              group.netAmount.slice(0, 14),
            ]),
            [1, 3, 4, 5, 6, 7],
          )}\n`,
        );
      }
      if (upcoming.total) process.stdout.write(`upcoming total before the run ${upcoming.total} = billed total ${acmeBill.total}\n`);
    }
    await showPrepaidGuard(suffix);
    process.stdout.write('\nDone. Run it again for fresh accounts.\n');
  } finally {
    if (started) {
      started.kill('SIGTERM');
      await new Promise((resolve) => started.on('exit', resolve));
    }
  }
}

interface GuardedBalance {
  balance: string;
  accruedThisPeriod: string;
  accruedUnbilled: string;
  projectedBalance: string;
  lowBalanceThreshold: string | null;
  guardState: string;
}

/**
 * Issue 10, the prepaid guard: a fresh enterprise with a 100.00 balance and a low-balance threshold
 * of 80.00 subscribes in the running month; usage it reports makes the projected balance fall below
 * the threshold, then below zero. The events come from billing's outbox on NATS (BILLING_EVENTS),
 * received here on their subjects; the balance API shows the same state.
 */
async function showPrepaidGuard(suffix: string): Promise<void> {
  const now = DateTime.utc();
  const running = billingCalendar.periodOf(now);
  progress(`prepaid guard (issue 10): ${running.toString()} accrues against the balance; a threshold crossed announces itself`);
  const account = `umbrella-${suffix}`;
  const natsUrl = process.env['NATS_URL'] || 'nats://127.0.0.1:4222';
  const received: Array<{ subject: string; event: AccountBalanceGuardEvent }> = [];
  let nc: NatsConnection | null = null;
  const subscriptions: Subscription[] = [];
  try {
    nc = await connect({ servers: natsUrl.split(','), name: 'cec-demo' });
    for (const subject of [SUBJECTS.accountBalanceLow, SUBJECTS.accountBalanceExhausted]) {
      subscriptions.push(
        nc.subscribe(subject, {
          callback: (error, message) => {
            if (error) return;
            const event = JSON.parse(new TextDecoder().decode(message.data)) as AccountBalanceGuardEvent;
            if (event.accountId === account) received.push({ subject, event });
          },
        }),
      );
    }
  } catch (error) {
    process.stdout.write(`(NATS at ${natsUrl} not reachable: ${error instanceof Error ? error.message : String(error)}; the guard is shown through the API only)\n`);
  }
  const balanceOf = (): Promise<GuardedBalance> => call<GuardedBalance>('billing', 'GET', `/v1/accounts/${account}/balance`);
  const show = (label: string, body: GuardedBalance): void => {
    process.stdout.write(
      `${label.padEnd(34)} balance ${body.balance}  accrued ${body.accruedThisPeriod}  ended month not billed ${body.accruedUnbilled}  ` +
        `projected ${body.projectedBalance}  threshold ${body.lowBalanceThreshold}  guard ${body.guardState}\n`,
    );
  };
  try {
    await call('subscription', 'POST', '/v1/accounts', { id: account, name: 'Umbrella Care' });
    await poll(`billing to learn ${account}`, async () => ((await fetch(`http://127.0.0.1:${port('billing')}/v1/accounts/${account}/balance`, { headers: { authorization: `Bearer ${token}` } })).status === 200 ? true : undefined));
    await call('billing', 'POST', `/v1/accounts/${account}/top-ups`, { amount: '100.00', reference: `demo-${suffix}-guard` });
    await call('billing', 'PUT', `/v1/accounts/${account}/balance-threshold`, { lowBalance: '80.00' });
    // 2 Basic CEC agents from a minute ago (today counts with the largest quantity of the day)
    const enabledAt = billingCalendar.formatInstant(now.minus({ minutes: 1 }).startOf('second'));
    const agents = (await call<{ id: string }>('subscription', 'POST', '/v1/subscriptions', { accountId: account, productCode: 'basic-cec', quantity: 2, billingMode: 'pay_per_use', enabledAt })).id;
    const first = await poll('the guard to rate the subscription', async () => {
      const body = await balanceOf();
      return body.accruedThisPeriod !== '0.00' ? body : undefined;
    });
    show('2 agents today', first);
    // the agent platform reports the agents in use (usage.reported / POST /v1/usage-events):
    // quantities that take the projected balance below 80.00, then below zero (a float here only
    // chooses quantities; the guard's money is exact)
    const perAgentDay = Number(first.accruedThisPeriod) / 2;
    const steps: Array<{ label: string; quantity: number; state: string }> = [
      { label: 'usage: below the threshold', quantity: Math.ceil(21 / perAgentDay) + 1, state: 'low' },
      { label: 'usage: beyond the balance', quantity: Math.ceil(101 / perAgentDay) + 1, state: 'exhausted' },
    ];
    for (const [index, stepOf] of steps.entries()) {
      const timestamp = billingCalendar.formatInstant(DateTime.utc().startOf('second'));
      const reported = await call<{ accepted: number }>('metering', 'POST', '/v1/usage-events', {
        events: [{ id: `demo-${suffix}-usage-${index}`, subscriptionId: agents, quantity: stepOf.quantity, timestamp }],
      });
      const body = await poll(`the guard to reach ${stepOf.state}`, async () => {
        const seen = await balanceOf();
        return seen.guardState === stepOf.state ? seen : undefined;
      }, 30_000);
      show(`${stepOf.label} (${stepOf.quantity} agents, ${reported.accepted} accepted)`, body);
    }
    if (nc) {
      await poll('the guard events on NATS', async () => (received.length >= 2 ? true : undefined), 30_000).catch(() => undefined);
      for (const { subject, event } of received) {
        process.stdout.write(
          `NATS ${subject}: account ${event.accountId}, ${event.period}, balance ${event.balance}, accrued ${event.accruedThisPeriod}, ` +
            `projected ${event.projectedBalance}, threshold ${event.threshold} (accountSequence ${String(event.accountSequence)})\n`,
        );
      }
      if (received.length === 0) process.stdout.write('no guard event received on NATS within 30 s\n');
    }
  } finally {
    for (const subscription of subscriptions) subscription.unsubscribe();
    await nc?.drain().catch(() => undefined);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
