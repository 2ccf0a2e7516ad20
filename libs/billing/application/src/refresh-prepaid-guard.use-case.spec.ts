import { FakeClock, Money, RemoteCallError } from '@cec/kernel';
import { type MonthlyUsageReply, toUsageRuns } from '@cec/contracts';
import type { BillingDeps } from './billing.ports';
import type { DirtyMark, GuardUpdate, PrepaidGuardRepository } from './prepaid-guard.ports';
import { RefreshPrepaidGuardUseCase } from './refresh-prepaid-guard.use-case';

const unused = (): never => {
  throw new Error('not used here');
};

function setup(
  monthlyUsage: (accountIds: readonly string[], period: string) => MonthlyUsageReply,
  options: { now?: string; unbilled?: readonly string[] } = {},
) {
  const stored: GuardUpdate[] = [];
  const cleared: DirtyMark[] = [];
  const released: DirtyMark[] = [];
  const unbilledAsked: string[] = [];
  const usageCalls: string[][] = [];
  const priceCalls: Array<{ from: string; to: string }> = [];
  const deps = {
    discounts: { insert: unused, listForAccount: unused, listForAccounts: async () => [] },
    usage: {
      monthlyUsage: async (period: { toString(): string }, accountIds: readonly string[]) => {
        usageCalls.push([...accountIds]);
        return monthlyUsage(accountIds, period.toString());
      },
      revisions: unused,
    },
    catalog: {
      resolvePrices: async (request: { from: string; to: string }) => {
        priceCalls.push({ from: request.from, to: request.to });
        return { prices: { basic: [{ unitPrice: '31.00', currency: 'USD', effectiveFrom: '2020-01-01' }] } };
      },
      productExists: unused,
    },
    events: { poke: () => undefined },
    // 2026-04-10 10:00 in UTC+8
    clock: new FakeClock(options.now ?? '2026-04-10T02:00:00Z'),
  } as unknown as BillingDeps;
  const guard: PrepaidGuardRepository = {
    markDirty: unused,
    markStale: unused,
    claim: unused,
    find: unused,
    setThreshold: unused,
    clear: async (marks) => {
      cleared.push(...marks);
    },
    release: async (marks) => {
      released.push(...marks);
    },
    unbilledIn: async (period, accountIds) => {
      unbilledAsked.push(period.toString());
      return new Set(accountIds.filter((id) => (options.unbilled ?? []).includes(id)));
    },
    storeBatch: async (updates) => {
      stored.push(...updates);
      return new Map(updates.map((update) => [update.mark.accountId, []]));
    },
  };
  return { useCase: new RefreshPrepaidGuardUseCase(deps, guard), stored, cleared, released, unbilledAsked, usageCalls, priceCalls };
}

const mark = (accountId: string): DirtyMark => ({ accountId, mark: '1', currency: 'USD', claim: 'claim-1' });
const month = (quantity: number): Array<{ date: string; quantity: number; productCodes: string[] }> =>
  Array.from({ length: 30 }, (_, index) => ({ date: `2026-04-${String(index + 1).padStart(2, '0')}`, quantity, productCodes: ['basic'] }));
const reply = (accountIds: readonly string[]): MonthlyUsageReply => ({
  period: '2026-04',
  asOfRevision: '7',
  subscriptions: accountIds.map((accountId) => ({ subscriptionId: `s-${accountId}`, accountId, runs: toUsageRuns(month(3)) })),
});

describe('#10 prepaid guard: RefreshPrepaidGuardUseCase', () => {
  it('#10 prepaid guard: one metering and one catalog request per batch; the month so far (UTC+8 days up to today) per account', async () => {
    const s = setup(reply);
    const result = await s.useCase.execute([mark('a1'), mark('a2')]);
    expect(result).toEqual({ refreshed: 2, events: 0, failed: [], stageMs: { usage: expect.any(Number), rates: expect.any(Number), rating: expect.any(Number), store: expect.any(Number) } });
    expect(Object.values(result.stageMs).every((ms) => ms >= 0)).toBe(true);
    expect(s.usageCalls).toEqual([['a1', 'a2']]);
    expect(s.priceCalls).toEqual([{ from: '2026-04-01', to: '2026-04-10' }]);
    // 3 x 31.00 x 10 / 30 = 31.00
    expect(s.stored.map((update) => [update.mark.accountId, update.period.toString(), update.ratedThrough, update.accrued.toString()])).toEqual([
      ['a1', '2026-04', '2026-04-10', '31.00'],
      ['a2', '2026-04', '2026-04-10', '31.00'],
    ]);
    expect(s.stored[0].accrued.equals(Money.parse('31.00'))).toBe(true);
  });

  it('#10 prepaid guard: metering away keeps every mark (thrown, retried by the worker); a permanent refusal isolates the account at fault', async () => {
    const away = setup(() => {
      throw new RemoteCallError(503, 'SERVICE_UNAVAILABLE', 'down', true);
    });
    await expect(away.useCase.execute([mark('a1'), mark('a2')])).rejects.toThrow('down');
    expect([away.stored, away.cleared]).toEqual([[], []]);
    // #10 guard claims: the claim is released, so that this or another replica takes the marks again
    expect(away.released.map((entry) => entry.accountId)).toEqual(['a1', 'a2']);

    const refused = setup((accountIds) => {
      if (accountIds.includes('bad')) throw new RemoteCallError(400, 'VALIDATION_FAILED', 'refused', false);
      return reply(accountIds);
    });
    const result = await refused.useCase.execute([mark('a1'), mark('bad'), mark('a2'), mark('a3')]);
    expect(result.failed).toEqual([{ accountId: 'bad', code: 'VALIDATION_FAILED', message: 'refused' }]);
    expect(refused.cleared.map((entry) => entry.accountId)).toEqual(['bad']);
    expect(refused.stored.map((update) => update.mark.accountId).sort()).toEqual(['a1', 'a2', 'a3']);
  });

  it('#10 guard month change: from 00:00 on the 1st until its bill is deducted, the ended month counts in full beside the new one', async () => {
    // 2026-05-01 00:00:30 in UTC+8; a1's April is not billed yet, a2's is
    const s = setup(
      (accountIds, period) => ({
        period,
        asOfRevision: '7',
        subscriptions: accountIds.map((accountId) => ({
          subscriptionId: `s-${accountId}`,
          accountId,
          runs: toUsageRuns(period === '2026-04' ? month(3) : [{ date: '2026-05-01', quantity: 3, productCodes: ['basic'] }]),
        })),
      }),
      { now: '2026-04-30T16:00:30Z', unbilled: ['a1'] },
    );
    await s.useCase.execute([mark('a1'), mark('a2')]);
    expect(s.unbilledAsked).toEqual(['2026-04']);
    // May: 3 x 31.00 x 1 / 31 = 3.00; April (only a1's, in full): 3 x 31.00 = 93.00
    expect(s.usageCalls).toEqual([['a1', 'a2'], ['a1']]);
    expect(s.priceCalls).toEqual([{ from: '2026-04-01', to: '2026-05-01' }]);
    expect(s.stored.map((update) => [update.mark.accountId, update.period.toString(), update.accrued.toString(), update.ended?.period.toString() ?? null, update.ended?.accrued.toString() ?? null])).toEqual([
      ['a1', '2026-05', '3.00', '2026-04', '93.00'],
      ['a2', '2026-05', '3.00', null, null],
    ]);
  });
});
