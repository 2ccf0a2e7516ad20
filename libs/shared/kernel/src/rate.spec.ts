import { Rate } from './rate';
import { DomainError } from './domain-error';

describe('Rate (R5.1: a rate in [0, 1) with at most 4 decimals)', () => {
  it.each([['0'], ['0.15'], ['0.9999'], ['0.2'], ['.5']])('accepts %p', (value) => {
    expect(Rate.parse(value).value.toString()).toBe(String(Number(value)));
  });

  it.each([['1'], ['1.0'], ['0.12345'], ['-0.1'], ['abc'], [''], [0.15]])('refuses %p naming the field', (value) => {
    expect(() => Rate.parse(value, 'rate')).toThrow(DomainError);
    expect(() => Rate.parse(value, 'rate')).toThrow(/^rate must be/);
  });

  it('gives the charged share exactly', () => {
    expect(Rate.parse('0.15').complement().toString()).toBe('0.85');
    expect(Rate.zero().complement().toString()).toBe('1');
  });
});
