import { OUTBOX_RELIABILITY_DOWN_SQL, OUTBOX_RELIABILITY_SQL } from './outbox.entity';

describe('#10 review: one copy of the outbox reliability migration SQL (billing, subscription, metering)', () => {
  it('#10 review: the shared down undoes every column, index, table, function and trigger the shared up creates', () => {
    const created = [
      ...[...OUTBOX_RELIABILITY_SQL.matchAll(/add column "(\w+)"/g)].map((match) => `drop column "${match[1]}"`),
      ...[...OUTBOX_RELIABILITY_SQL.matchAll(/create (?:unique )?index "(\w+)"/g)].map((match) => `drop index if exists "${match[1]}"`),
      ...[...OUTBOX_RELIABILITY_SQL.matchAll(/create table "(\w+)"/g)].map((match) => `drop table if exists "${match[1]}"`),
      ...[...OUTBOX_RELIABILITY_SQL.matchAll(/create function "(\w+)"/g)].map((match) => `drop function if exists "${match[1]}"()`),
      ...[...OUTBOX_RELIABILITY_SQL.matchAll(/create trigger "(\w+)"/g)].map((match) => `drop trigger if exists "${match[1]}"`),
    ];
    expect(created.length).toBe(6 + 3 + 1 + 1 + 1);
    const down = OUTBOX_RELIABILITY_DOWN_SQL.join('\n');
    for (const statement of created) expect({ statement, undone: down.includes(statement) }).toEqual({ statement, undone: true });
    // the trigger goes before its function, the function before the counter table it writes
    expect(OUTBOX_RELIABILITY_DOWN_SQL[0]).toContain('drop trigger');
    expect(OUTBOX_RELIABILITY_DOWN_SQL[1]).toContain('drop function');
  });
});
