import { DateTime } from 'luxon';
import { createAccount, MAX_ACCOUNT_NAME_LENGTH, toAccountCreatedEvent } from './account';
import { refusal } from './domain-error.testing';

const now = DateTime.fromISO('2026-04-16T09:30:00.750+08:00', { setZone: true });

describe('createAccount (R3.1 accounts, R8.1 errors name the field)', () => {
  it('creates a USD account with a server-chosen acc_ id, a trimmed name and a UTC creation instant to the second', () => {
    const account = createAccount({ name: '  Acme Contact Center  ' }, now);
    expect(account.id).toMatch(/^acc_[0-9a-f]{32}$/);
    expect(account.name).toBe('Acme Contact Center');
    expect(account.currency).toBe('USD');
    expect(account.createdAt.toISO()).toBe('2026-04-16T01:30:00.000Z');
    expect(createAccount({ name: 'B' }, now).id).not.toBe(account.id);
  });

  it('keeps an id chosen by the client', () => {
    expect(createAccount({ id: 'acme-01', name: 'Acme' }, now).id).toBe('acme-01');
  });

  it.each([
    ['empty', ''],
    ['leading space', ' acme'],
    ['inner space', 'a b'],
    ['129 characters', 'x'.repeat(129)],
    ['a number', 42],
    ['null', null],
  ])('R8.1: refuses a client id (%s), naming the field id', (_label, id) => {
    const error = refusal(() => createAccount({ id: id as string, name: 'Acme' }, now));
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.kind).toBe('validation');
    expect(error.message).toMatch(/^id must be/);
  });

  it.each([
    ['empty', ''],
    ['blank', '   '],
    ['missing', undefined],
    ['a number', 7],
    ['201 characters', 'x'.repeat(MAX_ACCOUNT_NAME_LENGTH + 1)],
    ['201 characters inside spaces', `  ${'y'.repeat(MAX_ACCOUNT_NAME_LENGTH + 1)} `],
  ])(
    'R8.1: refuses a name (%s), naming the field name',
    (_label, name) => {
      const error = refusal(() => createAccount({ name: name as string }, now));
      expect(error.code).toBe('VALIDATION_FAILED');
      expect(error.message).toMatch(/^name must be/);
    },
  );

  it('accepts a name of exactly 200 characters once trimmed', () => {
    expect(createAccount({ name: ` ${'n'.repeat(MAX_ACCOUNT_NAME_LENGTH)} ` }, now).name).toHaveLength(MAX_ACCOUNT_NAME_LENGTH);
  });

  it('maps an account to subscription.account.created with instants in UTC+8', () => {
    const account = createAccount({ id: 'acme', name: 'Acme' }, now);
    expect(toAccountCreatedEvent(account, 'evt-1', DateTime.fromISO('2026-01-31T17:00:00Z'))).toEqual({
      id: 'evt-1',
      occurredAt: '2026-02-01T01:00:00+08:00',
      accountId: 'acme',
      name: 'Acme',
      currency: 'USD',
    });
  });
});
