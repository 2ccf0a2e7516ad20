import { Type } from '@mikro-orm/core';
import { Dec } from '@cec/kernel';

/** A `numeric` column read and written as an exact decimal (never a JS number). */
export class DecimalType extends Type<Dec | null, string | null> {
  constructor(
    private readonly precision = 20,
    private readonly scale = 2,
  ) {
    super();
  }

  override convertToDatabaseValue(value: Dec | string | null): string | null {
    if (value === null || value === undefined) return null;
    return typeof value === 'string' ? value : value.toFixed();
  }

  override convertToJSValue(value: string | null): Dec | null {
    if (value === null || value === undefined) return null;
    return new Dec(value);
  }

  override compareAsType(): string {
    return 'string';
  }

  override getColumnType(): string {
    return `numeric(${this.precision},${this.scale})`;
  }

  override ensureComparable(): boolean {
    return true;
  }
}
