import { formatAmount, formatMoney, formatRate, parseMoneyInput, sumAmounts } from './money';

describe('#12 console money display: decimal strings, never JS floats', () => {
  it('formats with two decimals and thousands separators', () => {
    expect(formatAmount('1234.5')).toBe('1,234.50');
    expect(formatAmount('0')).toBe('0.00');
    expect(formatAmount('1000000')).toBe('1,000,000.00');
    expect(formatAmount('999.99')).toBe('999.99');
    expect(formatMoney('212.5', 'USD')).toBe('212.50 USD');
  });

  it('keeps the sign of a negative amount (a ledger debit, an adjustment) and never shows -0.00', () => {
    expect(formatAmount('-100')).toBe('-100.00');
    expect(formatAmount('-1234567.89')).toBe('-1,234,567.89');
    expect(formatAmount('-0.00')).toBe('0.00');
  });

  it('is exact where binary floats are not', () => {
    // 0.1 + 0.2 in floats is 0.30000000000000004; 1.005 in floats rounds down to 1.00
    expect(sumAmounts(['0.10', '0.20'])).toBe('0.30');
    expect(formatAmount('1.005')).toBe('1.01');
    expect(formatAmount('90071992547409.93')).toBe('90,071,992,547,409.93');
    expect(sumAmounts(['90071992547409.91', '0.02'])).toBe('90071992547409.93');
  });

  it("reads a typed top-up amount into the API's decimal string, refusing what the API would refuse", () => {
    expect(parseMoneyInput('100')).toBe('100.00');
    expect(parseMoneyInput(' 99.9 ')).toBe('99.90');
    expect(parseMoneyInput('0.01')).toBe('0.01');
    for (const bad of ['', '0', '0.00', '-5', '1.005', '1e3', 'abc', '1,000', '.5', '12.'])
      expect(parseMoneyInput(bad)).toBeNull();
  });

  it('shows a discount rate as a percentage', () => {
    expect(formatRate('0.15')).toBe('15%');
    expect(formatRate('0.125')).toBe('12.5%');
    expect(formatRate('0')).toBe('0%');
  });
});
