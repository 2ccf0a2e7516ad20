import { Migration } from '@mikro-orm/migrations';

/**
 * #8.5: bill lines' `quantity_days` (a sum of daily quantities over a month, or over the months an
 * adjustment corrects) as bigint. 31 days of the platform's largest quantity (MAX_QUANTITY,
 * 1,000,000) fit in 32 bits, but sums over adjustments and reports need not: the column is wide
 * enough whatever a line adds up.
 */
export class Migration0003WideQuantityDays extends Migration {
  override async up(): Promise<void> {
    this.addSql('alter table "bill_line" alter column "quantity_days" type bigint;');
  }

  override async down(): Promise<void> {
    this.addSql('alter table "bill_line" alter column "quantity_days" type integer;');
  }
}
