import { Migration } from '@mikro-orm/migrations';
import { OUTBOX_LEAN_INDEXES_DOWN_SQL, OUTBOX_LEAN_INDEXES_SQL } from '@cec/platform';

/** Issue 11: one index fewer on every outbox row ({@link OUTBOX_LEAN_INDEXES_SQL}). */
export class Migration0007OutboxLeanIndexes extends Migration {
  override async up(): Promise<void> {
    for (const sql of OUTBOX_LEAN_INDEXES_SQL) this.addSql(sql);
  }

  override async down(): Promise<void> {
    for (const sql of OUTBOX_LEAN_INDEXES_DOWN_SQL) this.addSql(sql);
  }
}
