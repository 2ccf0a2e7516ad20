import Decimal from 'decimal.js';

// Money on the wire is a decimal string ("1234.50"); the console never turns it into a JS number.

const MONEY_INPUT = /^\d{1,15}(\.\d{1,2})?$/;

/** `"1234.5"` → `"1,234.50"` (two decimals, thousands grouped); a negative keeps its sign. */
export function formatAmount(amount: string): string {
  const value = new Decimal(amount);
  const fixed = value.abs().toFixed(2, Decimal.ROUND_HALF_UP);
  const [whole, cents] = fixed.split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${value.isNegative() && !value.isZero() ? '-' : ''}${grouped}.${cents}`;
}

/** `("1234.5", "USD")` → `"1,234.50 USD"`. */
export function formatMoney(amount: string, currency: string): string {
  return `${formatAmount(amount)} ${currency}`;
}

/**
 * A top-up amount as typed (`"100"`, `" 99.9 "`) → the API's decimal string (`"100.00"`), or
 * null when it is not a positive amount with at most 2 decimals.
 */
export function parseMoneyInput(text: string): string | null {
  const trimmed = text.trim();
  if (!MONEY_INPUT.test(trimmed)) return null;
  const value = new Decimal(trimmed);
  return value.greaterThan(0) ? value.toFixed(2) : null;
}

/** Sum of decimal strings, exactly, as a decimal string with 2 decimals. */
export function sumAmounts(amounts: readonly string[]): string {
  return amounts.reduce((sum, amount) => sum.plus(amount), new Decimal(0)).toFixed(2);
}

/** A rate (`"0.15"`) as a percentage (`"15%"`, `"12.5%"`). */
export function formatRate(rate: string): string {
  return `${new Decimal(rate).times(100).toDecimalPlaces(2).toString()}%`;
}
