import { Dec } from '@cec/kernel';
import { Balance, LedgerEntry, Platform } from './platform';

/**
 * R7.6, checked from outside: the balance equals the sum of the ledger's entries, every running
 * balance is the previous one plus the entry, and nothing is ever negative.
 */
export async function expectLedgerInvariant(platform: Platform, accountId: string): Promise<{ balance: Balance; entries: LedgerEntry[] }> {
  const [balance, entries] = await Promise.all([platform.balance(accountId), platform.ledger(accountId)]);
  let running = new Dec(0);
  for (const entry of entries) {
    running = running.plus(entry.amount);
    expect({ entry: entry.id, balanceAfter: entry.balanceAfter }).toEqual({ entry: entry.id, balanceAfter: running.toFixed(2) });
    expect(running.isNegative() && !running.isZero()).toBe(false);
  }
  expect(balance.balance).toBe(running.toFixed(2));
  return { balance, entries };
}
