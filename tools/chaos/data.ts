/**
 * The suite's seeded data set and the bills it must produce, computed here independently of the
 * platform (no production code): R4.1 daily maximum, R4.2/R5.2 price and discount of the day,
 * R4.3/R4.4 exact decimal amounts rounded half away from zero.
 */
import Decimal from 'decimal.js';
import { prng } from '../bench/bench-data';

export interface ChaosProduct {
  code: string;
  unit: 'agent' | 'channel';
  unitPrice: string;
}

export interface ChaosSubscription {
  id: string;
  accountId: string;
  productCode: string;
  quantity: number;
  /** Epoch seconds. */
  enabledAt: number;
}

export interface ChaosUsageEvent {
  id: string;
  subscriptionId: string;
  quantity: number;
  /** Epoch seconds. */
  at: number;
  via: 'nats' | 'rest';
}

export interface ChaosDiscount {
  accountId: string;
  productCode?: string;
  rate: string;
  effectiveFrom: string;
  effectiveTo?: string;
}

export interface ExpectedLine {
  subscriptionId: string;
  quantityDays: number;
  listAmount: string;
  amount: string;
}

export interface ChaosData {
  period: string;
  daysInMonth: number;
  monthStart: number;
  products: ChaosProduct[];
  accounts: string[];
  subscriptions: ChaosSubscription[];
  events: ChaosUsageEvent[];
  discounts: ChaosDiscount[];
  topUps: Array<{ accountId: string; amount: string; reference: string }>;
}

export const iso = (seconds: number): string => new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');

/** The last ended month in UTC+8 at `nowMs`, as YYYY-MM, its first instant and its length. */
export function lastEndedMonth(nowMs: number): { period: string; monthStart: number; daysInMonth: number } {
  const shanghai = new Date(nowMs + 8 * 3600_000);
  const year = shanghai.getUTCMonth() === 0 ? shanghai.getUTCFullYear() - 1 : shanghai.getUTCFullYear();
  const month = shanghai.getUTCMonth() === 0 ? 12 : shanghai.getUTCMonth(); // 1-based previous month
  return {
    period: `${year}-${String(month).padStart(2, '0')}`,
    monthStart: Date.UTC(year, month - 1, 1) / 1000 - 8 * 3600,
    daysInMonth: new Date(Date.UTC(year, month, 0)).getUTCDate(),
  };
}

/**
 * N accounts, each with an agent and a channel subscription enabled before (or inside) the month,
 * and usage events on EVERY day of the month (sometimes two a day), so every quantity changes daily.
 */
export function generate(accounts: number, seed: number, nowMs: number, subscriptionsPerAccount: 2 | 3 = 2): ChaosData {
  const random = prng(seed);
  const between = (from: number, to: number): number => from + Math.floor(random() * (to - from));
  const { period, monthStart, daysInMonth } = lastEndedMonth(nowMs);
  const date = (day: number): string => `${period}-${String(day).padStart(2, '0')}`;
  const tag = `chaos-s${seed}`;
  const products: ChaosProduct[] = [
    { code: `${tag}-basic`, unit: 'agent', unitPrice: '49.99' },
    { code: `${tag}-advanced`, unit: 'agent', unitPrice: '133.37' },
    { code: `${tag}-voice`, unit: 'channel', unitPrice: '17.30' },
  ];
  const data: ChaosData = { period, daysInMonth, monthStart, products, accounts: [], subscriptions: [], events: [], discounts: [], topUps: [] };
  for (let i = 0; i < accounts; i += 1) {
    const accountId = `${tag}-acc-${i}`;
    data.accounts.push(accountId);
    const agent = random() < 0.5 ? products[0] : products[1];
    const kinds: Array<readonly [string, ChaosProduct, number]> = [
      ['a', agent, 40],
      ['b', products[2], 12],
    ];
    // a third: a second agent subscription of the other edition
    if (subscriptionsPerAccount === 3) kinds.push(['c', agent === products[0] ? products[1] : products[0], 25]);
    for (const [suffix, product, maxQuantity] of kinds) {
      const id = `${tag}-sub-${i}-${suffix}`;
      const enabledAt = random() < 0.85 ? monthStart - between(3600, 20 * 86400) : monthStart + between(60, (daysInMonth - 2) * 86400);
      data.subscriptions.push({ id, accountId, productCode: product.code, quantity: 1 + between(0, maxQuantity), enabledAt });
      let n = 0;
      for (let day = 0; day < daysInMonth; day += 1) {
        const dayStart = monthStart + day * 86400;
        const offsets = [between(1, 43_200)];
        if (random() < 0.3) offsets.push(between(43_201, 86_400));
        for (const offset of offsets) {
          const at = dayStart + offset;
          if (at <= enabledAt) continue;
          n += 1;
          data.events.push({ id: `${tag}-ev-${i}${suffix}-${n}`, subscriptionId: id, quantity: between(0, maxQuantity + 1), at, via: random() < 0.7 ? 'nats' : 'rest' });
        }
      }
    }
    if (i % 3 === 0) {
      data.discounts.push({ accountId, rate: (between(500, 3000) / 10_000).toFixed(4), effectiveFrom: random() < 0.3 ? '2020-01-01' : date(between(2, daysInMonth + 1)) });
    }
    if (i % 5 === 0) {
      const from = between(1, daysInMonth - 1);
      const to = random() < 0.5 ? date(between(from + 1, daysInMonth + 1)) : undefined;
      data.discounts.push({ accountId, productCode: agent.code, rate: (between(100, 5000) / 10_000).toFixed(4), effectiveFrom: date(from), effectiveTo: to });
    }
    if (i % 2 === 0) {
      data.topUps.push({ accountId, amount: `${between(1, 3000)}.${String(between(0, 100)).padStart(2, '0')}`, reference: `${tag}-top-${i}` });
    }
  }
  return data;
}

/** The discount rate of a day: the product's own discount wins over the all-products one (R5.2). */
function rateOn(discounts: ChaosDiscount[], productCode: string, day: string): Decimal {
  const inForce = (d: ChaosDiscount): boolean => d.effectiveFrom <= day && (d.effectiveTo === undefined || day < d.effectiveTo);
  const own = discounts.find((d) => d.productCode === productCode && inForce(d));
  if (own) return new Decimal(own.rate);
  const all = discounts.find((d) => d.productCode === undefined && inForce(d));
  return all ? new Decimal(all.rate) : new Decimal(0);
}

/** The lines each account's bill for the month must carry, from the accepted data only. */
export function expectedBills(data: ChaosData, acceptedEventIds: ReadonlySet<string>): Map<string, ExpectedLine[]> {
  const price = new Map(data.products.map((p) => [p.code, new Decimal(p.unitPrice)]));
  const eventsOf = new Map<string, ChaosUsageEvent[]>();
  for (const event of data.events) {
    if (!acceptedEventIds.has(event.id)) continue;
    const list = eventsOf.get(event.subscriptionId) ?? [];
    list.push(event);
    eventsOf.set(event.subscriptionId, list);
  }
  const discountsOf = new Map<string, ChaosDiscount[]>();
  for (const discount of data.discounts) discountsOf.set(discount.accountId, [...(discountsOf.get(discount.accountId) ?? []), discount]);
  const bills = new Map<string, ExpectedLine[]>();
  const D = data.daysInMonth;
  for (const subscription of data.subscriptions) {
    // the timeline: the enablement, then every report; ties ordered by id in code-point order
    const points = [{ at: subscription.enabledAt, quantity: subscription.quantity, id: '' }, ...(eventsOf.get(subscription.id) ?? [])].sort((a, b) =>
      a.at !== b.at ? a.at - b.at : a.id < b.id ? -1 : a.id > b.id ? 1 : 0,
    );
    const p = price.get(subscription.productCode) as Decimal;
    let quantityDays = 0;
    let list = new Decimal(0);
    let net = new Decimal(0);
    for (let day = 0; day < D; day += 1) {
      const start = data.monthStart + day * 86400;
      const end = start + 86400;
      let inForceAtStart = 0;
      let q = 0;
      for (const point of points) {
        if (point.at <= start) inForceAtStart = point.quantity;
        else if (point.at < end) q = Math.max(q, point.quantity);
      }
      q = Math.max(q, inForceAtStart);
      if (q === 0) continue;
      const r = rateOn(discountsOf.get(subscription.accountId) ?? [], subscription.productCode, `${data.period}-${String(day + 1).padStart(2, '0')}`);
      quantityDays += q;
      list = list.plus(p.times(q));
      net = net.plus(p.times(q).times(new Decimal(1).minus(r)));
    }
    if (quantityDays === 0) continue;
    const round = (value: Decimal): string => value.dividedBy(D).toDecimalPlaces(2, Decimal.ROUND_HALF_UP).toFixed(2);
    const lines = bills.get(subscription.accountId) ?? [];
    lines.push({ subscriptionId: subscription.id, quantityDays, listAmount: round(list), amount: round(net) });
    bills.set(subscription.accountId, lines);
  }
  return bills;
}
