import { randomUUID } from 'node:crypto';

/** Server-chosen ids: a short prefix naming the entity, then a UUID (`bill_…`). */
export function newId(prefix: string): string {
  return `${prefix}_${randomUUID().replace(/-/g, '')}`;
}

export const CLIENT_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
export const CLIENT_ID_RULE = '1 to 128 letters, digits, ".", "_", ":" or "-", starting with a letter or digit';

/** Ids a client may choose: 1-128 of letters, digits, `.`, `_`, `:`, `-`. */
export function isValidClientId(value: unknown): value is string {
  return typeof value === 'string' && CLIENT_ID_PATTERN.test(value);
}
