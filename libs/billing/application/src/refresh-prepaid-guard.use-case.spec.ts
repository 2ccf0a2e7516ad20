import { FakeClock, Money, RemoteCallError } from '@cec/kernel';
import { type MonthlyUsageReply, toUsageRuns } from '@cec/contracts';
import type { BillingDeps } from './billing.ports';
import type { DirtyMark, GuardUpdate, PrepaidGuardRepository } from './prepaid-guard.ports';
import { RefreshPrepaidGuardUseCase } from './refresh-prepaid-guard.use-case';

const unused = (): never => {
  throw new Error('not used here');
};

function setup(monthlyUsage: (accountIds: readonly string[]) => MonthlyUsageReply) {
  const stored: GuardUpdate[] = [];
  const cleared: DirtyMark[] = [];
  const usageCalls: string[][] = [];
  const priceCalls: Array<{ from: string; to: string }> = [];
  const deps = {
    discounts: { insert: unused, listForAccount: unused, listForAccounts: async () => [] },
    usage: {
      monthlyUsage: async (_period: unknown, accountIds: readonly string[]) => {
        usageCalls.push([...accountIds]);
        return monthlyUsage(accountIds);
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
    clock: new FakeClock('2026-04-10T02:00:00Z'),
  } as unknown as BillingDeps;
  const guard: PrepaidGuardRepository = {
    markDirty: unused,
    markStale: unused,
    dirty: unused,
    find: unused,
    setThreshold: unused,
    clear: async (marks) => {
      cleared.push(...marks);
    },
    store: async (update) => {
      stored.push(update);
      return [];
    },
  };
  return { useCase: new RefreshPrepaidGuardUseCase(deps, guard), stored, cleared, usageCalls, priceCalls };
}

const mark = (accountId: string): DirtyMark => ({ accountId, mark: '1', currency: 'USD' });
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
    expect(result).toEqual({ refreshed: 2, events: 0, failed: [] });
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

    const refused = setup((accountIds) => {
      if (accountIds.includes('bad')) throw new RemoteCallError(400, 'VALIDATION_FAILED', 'refused', false);
      return reply(accountIds);
    });
    const result = await refused.useCase.execute([mark('a1'), mark('bad'), mark('a2'), mark('a3')]);
    expect(result.failed).toEqual([{ accountId: 'bad', code: 'VALIDATION_FAILED', message: 'refused' }]);
    expect(refused.cleared.map((entry) => entry.accountId)).toEqual(['bad']);
    expect(refused.stored.map((update) => update.mark.accountId).sort()).toEqual(['a1', 'a2', 'a3']);
  });
});
