import fc from 'fast-check';
import { Dec, Money, roundToCents } from './money';
import { DomainError } from './domain-error';

describe('Money (R4.4 exact decimal, rounding half away from zero)', () => {
  it('parses decimal strings with at most two decimals and prints two', () => {
    expect(Money.parse('250').toString()).toBe('250.00');
    expect(Money.parse('0.5').toString()).toBe('0.50');
    expect(Money.parse('-12.34').toString()).toBe('-12.34');
  });

  it.each([['1.234'], ['1e3'], [' 1.00'], ['01.00'], ['abc'], [''], ['1.'], ['.5']])('refuses %p', (value) => {
    expect(() => Money.parse(value)).toThrow(DomainError);
  });

  it('refuses numbers: money never enters as a binary float', () => {
    expect(() => Money.parse(10.5)).toThrow(/decimal string/);
    expect(() => Money.parse(null)).toThrow(DomainError);
  });

  it('rounds half away from zero to cents', () => {
    expect(Money.round(new Dec('0.005')).toString()).toBe('0.01');
    expect(Money.round(new Dec('-0.005')).toString()).toBe('-0.01');
    expect(Money.round(new Dec('200.3225806451')).toString()).toBe('200.32');
    expect(Money.round(new Dec('2.675')).toString()).toBe('2.68'); // 2.675 is 2.67499… as a float
    expect(Money.round(new Dec('-0.004')).toString()).toBe('0.00');
  });

  it('adds, subtracts and takes the minimum exactly', () => {
    const a = Money.parse('0.10');
    const b = Money.parse('0.20');
    expect(a.plus(b).toString()).toBe('0.30');
    expect(a.minus(b).toString()).toBe('-0.10');
    expect(a.min(b)).toBe(a);
    expect(a.minus(a).isZero()).toBe(true);
    expect(JSON.stringify({ m: Money.parse('7') })).toBe('{"m":"7.00"}');
  });

  it('property: rounding is within half a cent, idempotent, and symmetric around zero', () => {
    const exact = fc
      .tuple(fc.bigInt({ min: -(10n ** 14n), max: 10n ** 14n }), fc.integer({ min: 0, max: 8 }))
      .map(([units, scale]) => new Dec(units.toString()).dividedBy(new Dec(10).pow(scale)));
    fc.assert(
      fc.property(exact, (value) => {
        const rounded = roundToCents(value);
        expect(rounded.minus(value).abs().lte('0.005')).toBe(true);
        expect(roundToCents(rounded).equals(rounded)).toBe(true);
        expect(roundToCents(value.negated()).equals(rounded.negated())).toBe(true);
        // a tie always moves away from zero
        const cents = value.times(100);
        if (cents.minus(cents.trunc()).abs().equals('0.5')) {
          expect(rounded.abs().gt(value.abs())).toBe(true);
        }
      }),
    );
  });

  it('property: sums of rounded parts never drift from exact decimal arithmetic', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -10_000_000, max: 10_000_000 }), { maxLength: 50 }), (cents) => {
        const total = cents.reduce((sum, c) => sum.plus(Money.parse(new Dec(c).dividedBy(100).toFixed(2))), Money.zero());
        expect(total.amount.times(100).toNumber()).toBe(cents.reduce((s, c) => s + c, 0));
      }),
    );
  });
});
