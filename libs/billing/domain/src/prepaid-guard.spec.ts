import { Money, Period } from '@cec/kernel';
import { createDiscount } from './discount';
import { accrueRunningMonth, evaluateGuard, guardStateOf } from './prepaid-guard';
import { PriceBook } from './price-book';

const m = (value: string): Money => Money.parse(value);

describe('#10 prepaid guard (pure)', () => {
  it('#10 prepaid guard: the running month accrues the days up to and including today, rated as a run rates them (discounts applied)', () => {
    const days = Array.from({ length: 30 }, (_, index) => ({ date: `2026-04-${String(index + 1).padStart(2, '0')}`, quantity: 4, productCodes: ['basic'] }));
    const accrued = accrueRunningMonth({
      accountId: 'a',
      currency: 'USD',
      period: Period.of(2026, 4),
      today: '2026-04-10',
      subscriptions: [{ subscriptionId: 's', accountId: 'a', days }],
      prices: PriceBook.fromVersions({ basic: [{ unitPrice: '31.00', currency: 'USD', effectiveFrom: '2020-01-01' }] }),
      discounts: [createDiscount({ id: 'd', accountId: 'a', rate: '0.15', effectiveFrom: '2026-04-01' })],
    });
    // 4 x 31.00 x 10 / 30 x 0.85 = 35.1333… → 35.13
    expect(accrued.toString()).toBe('35.13');
  });

  it('#10 prepaid guard: levels: exhausted at 0.00 or below, low below the threshold, else ok', () => {
    expect(guardStateOf(m('0.00'), null)).toBe('exhausted');
    expect(guardStateOf(m('-0.01'), m('10.00'))).toBe('exhausted');
    expect(guardStateOf(m('9.99'), m('10.00'))).toBe('low');
    expect(guardStateOf(m('10.00'), m('10.00'))).toBe('ok');
    expect(guardStateOf(m('0.01'), null)).toBe('ok');
  });

  it('#10 prepaid guard: projectedBalance = balance - accrued; each crossing announced once, rising re-arms', () => {
    const low = evaluateGuard({ balance: m('100.00'), accrued: m('35.13'), threshold: m('70.00'), previous: 'ok' });
    expect([low.projectedBalance.toString(), low.state, low.events]).toEqual(['64.87', 'low', ['balance_low']]);
    expect(evaluateGuard({ balance: m('100.00'), accrued: m('52.70'), threshold: m('70.00'), previous: 'low' }).events).toEqual([]);
    const out = evaluateGuard({ balance: m('100.00'), accrued: m('131.75'), threshold: m('70.00'), previous: 'low' });
    expect([out.projectedBalance.toString(), out.state, out.events]).toEqual(['-31.75', 'exhausted', ['balance_exhausted']]);
    expect(evaluateGuard({ balance: m('100.00'), accrued: m('140.53'), threshold: m('70.00'), previous: 'exhausted' }).events).toEqual([]);
    // a top-up: back to ok, nothing announced; falling past both again announces both
    expect(evaluateGuard({ balance: m('300.00'), accrued: m('140.53'), threshold: m('70.00'), previous: 'exhausted' })).toMatchObject({ state: 'ok', events: [] });
    expect(evaluateGuard({ balance: m('300.00'), accrued: m('351.33'), threshold: m('70.00'), previous: 'ok' }).events).toEqual(['balance_low', 'balance_exhausted']);
    // without a threshold only exhaustion is announced; at a threshold of 0.00, reaching 0.00 is not "below" it
    expect(evaluateGuard({ balance: m('10.00'), accrued: m('10.00'), threshold: null, previous: 'ok' }).events).toEqual(['balance_exhausted']);
    expect(evaluateGuard({ balance: m('10.00'), accrued: m('10.00'), threshold: m('0.00'), previous: 'ok' }).events).toEqual(['balance_exhausted']);
    // partly back up (exhausted → low) re-arms exhaustion without announcing low again
    expect(evaluateGuard({ balance: m('80.00'), accrued: m('20.00'), threshold: m('70.00'), previous: 'exhausted' })).toMatchObject({ state: 'low', events: [] });
  });
});
