import { fromUsageRuns, toUsageRuns } from './usage-runs';

describe('usage runs codec (the wire form of a month of daily quantities, R4.1)', () => {
  const day = (date: string, quantity: number, productCodes = ['basic-cec']) => ({ date, quantity, productCodes });

  it('collapses consecutive equal days and breaks on gaps, quantity or product changes', () => {
    const days = [
      day('2024-02-27', 3),
      day('2024-02-28', 3),
      day('2024-02-29', 3),
      day('2024-03-01', 9),
      day('2024-03-02', 9, ['basic-cec', 'professional-cec']),
      day('2024-03-04', 9, ['basic-cec', 'professional-cec']),
    ];
    expect(toUsageRuns(days)).toEqual([
      { from: '2024-02-27', to: '2024-02-29', quantity: 3, productCodes: ['basic-cec'] },
      { from: '2024-03-01', to: '2024-03-01', quantity: 9, productCodes: ['basic-cec'] },
      { from: '2024-03-02', to: '2024-03-02', quantity: 9, productCodes: ['basic-cec', 'professional-cec'] },
      { from: '2024-03-04', to: '2024-03-04', quantity: 9, productCodes: ['basic-cec', 'professional-cec'] },
    ]);
    expect(fromUsageRuns(toUsageRuns(days))).toEqual(days);
  });

  it('round-trips a full month across a year end and an empty month', () => {
    const days = Array.from({ length: 31 }, (_, i) => day(`2025-12-${String(i + 1).padStart(2, '0')}`, 5));
    expect(toUsageRuns(days)).toHaveLength(1);
    expect(fromUsageRuns(toUsageRuns(days))).toEqual(days);
    expect(fromUsageRuns([{ from: '2025-12-31', to: '2026-01-01', quantity: 1, productCodes: [] }]).map((d) => d.date)).toEqual(['2025-12-31', '2026-01-01']);
    expect(toUsageRuns([])).toEqual([]);
  });
});
