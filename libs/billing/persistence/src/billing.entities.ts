import { BigIntType, Entity, PrimaryKey, Property } from '@mikro-orm/core';
import { Dec } from '@cec/kernel';
import { DecimalType, OutboxEntity } from '@cec/platform';

// The billing tables as MikroORM knows them. The hot path (a run's account transactions, top-ups)
// writes them with lean multi-row SQL in a transaction of its own rather than through the unit of
// work; the DDL is the hand-written migration, which also holds the keys and constraints.

@Entity({ tableName: 'account' })
export class BillingAccountEntity {
  @PrimaryKey({ type: 'string', length: 128 }) id!: string;
  @Property({ type: 'string', length: 200 }) name!: string;
  @Property({ type: 'string', length: 3 }) currency!: string;
  @Property({ type: new DecimalType(20, 2) }) balance!: Dec;
  @Property({ type: new DecimalType(20, 2) }) outstanding!: Dec;
  @Property({ type: 'integer' }) billSeq!: number;
  @Property({ type: 'bigint', nullable: true }) usageRevision!: string | null;
  @Property({ type: 'Date', columnType: 'timestamptz' }) createdAt!: Date;
  @Property({ type: 'string', length: 128, nullable: true }) sourceEventId!: string | null;
}

@Entity({ tableName: 'discount' })
export class DiscountEntity {
  @PrimaryKey({ type: 'string', length: 64 }) id!: string;
  @Property({ type: 'string', length: 128 }) accountId!: string;
  @Property({ type: 'string', length: 63, nullable: true }) productCode!: string | null;
  @Property({ type: new DecimalType(5, 4) }) rate!: Dec;
  @Property({ type: 'string', columnType: 'date' }) effectiveFrom!: string;
  @Property({ type: 'string', columnType: 'date', nullable: true }) effectiveTo!: string | null;
  @Property({ type: 'Date', columnType: 'timestamptz' }) createdAt!: Date;
}

@Entity({ tableName: 'billing_run' })
export class BillingRunEntity {
  @PrimaryKey({ type: 'string', length: 64 }) id!: string;
  @Property({ type: 'string', length: 7 }) period!: string;
  @Property({ type: 'integer' }) attempt!: number;
  @Property({ type: 'string', length: 16 }) trigger!: string;
  @Property({ type: 'string', length: 16 }) status!: string;
  @Property({ type: 'integer' }) accountsTotal!: number;
  @Property({ type: 'integer' }) jobsTotal!: number;
  @Property({ type: 'integer' }) jobsDone!: number;
  @Property({ type: 'integer' }) jobsFailed!: number;
  @Property({ type: 'text', nullable: true }) error!: string | null;
  @Property({ type: 'Date', columnType: 'timestamptz' }) startedAt!: Date;
  @Property({ type: 'Date', columnType: 'timestamptz', nullable: true }) finishedAt!: Date | null;
}

@Entity({ tableName: 'billing_run_job' })
export class BillingRunJobEntity {
  @PrimaryKey({ type: 'string', length: 64 }) runId!: string;
  @PrimaryKey({ type: 'integer' }) batch!: number;
  @Property({ type: 'string[]', columnType: 'text[]' }) accountIds!: string[];
  @Property({ type: 'string', length: 16 }) status!: string;
  @Property({ type: 'Date', columnType: 'timestamptz', nullable: true }) publishedAt!: Date | null;
  @Property({ type: 'Date', columnType: 'timestamptz', nullable: true }) finishedAt!: Date | null;
  @Property({ type: 'text', nullable: true }) error!: string | null;
}

@Entity({ tableName: 'bill' })
export class BillEntity {
  @PrimaryKey({ type: 'string', length: 64 }) id!: string;
  @Property({ type: 'string', length: 128 }) accountId!: string;
  @Property({ type: 'string', length: 7 }) period!: string;
  @Property({ type: 'string', length: 64, nullable: true }) runId!: string | null;
  @Property({ type: 'string', length: 3 }) currency!: string;
  @Property({ type: new DecimalType(20, 2) }) total!: Dec;
  @Property({ type: new DecimalType(20, 2) }) paidAmount!: Dec;
  @Property({ type: new DecimalType(20, 2) }) outstandingAmount!: Dec;
  @Property({ type: 'string', length: 16 }) status!: string;
  @Property({ type: 'Date', columnType: 'timestamptz' }) issuedAt!: Date;
  @Property({ type: 'bigint' }) seq!: string;
}

@Entity({ tableName: 'bill_line' })
export class BillLineEntity {
  @PrimaryKey({ type: 'string', length: 64 }) billId!: string;
  @PrimaryKey({ type: 'integer' }) position!: number;
  @Property({ type: 'string', length: 128 }) accountId!: string;
  @Property({ type: 'string', length: 16 }) kind!: string;
  @Property({ type: 'string', length: 128 }) subscriptionId!: string;
  @Property({ type: 'string', length: 63 }) productCode!: string;
  @Property({ type: 'string', length: 7 }) forPeriod!: string;
  /** bigint (#8.5), read as a JS number: sums of quantities stay far below 2^53. */
  @Property({ type: new BigIntType('number') }) quantityDays!: number;
  @Property({ type: 'integer' }) daysInPeriod!: number;
  @Property({ type: new DecimalType(20, 2) }) listAmount!: Dec;
  @Property({ type: new DecimalType(20, 2) }) discountAmount!: Dec;
  @Property({ type: new DecimalType(20, 2) }) amount!: Dec;
}

/** The processed marker of (account, period): unique, with the metering revision billed. */
@Entity({ tableName: 'account_period' })
export class AccountPeriodEntity {
  @PrimaryKey({ type: 'string', length: 128 }) accountId!: string;
  @PrimaryKey({ type: 'string', length: 7 }) period!: string;
  @Property({ type: 'string', length: 64 }) runId!: string;
  @Property({ type: 'bigint' }) usageRevision!: string;
  @Property({ type: 'string', length: 64, nullable: true }) billId!: string | null;
  @Property({ type: new DecimalType(20, 2), nullable: true }) total!: Dec | null;
  @Property({ type: 'Date', columnType: 'timestamptz' }) processedAt!: Date;
}

@Entity({ tableName: 'top_up' })
export class TopUpEntity {
  @PrimaryKey({ type: 'string', length: 64 }) id!: string;
  @Property({ type: 'string', length: 128 }) accountId!: string;
  @Property({ type: 'string', length: 128 }) reference!: string;
  @Property({ type: new DecimalType(20, 2) }) amount!: Dec;
  @Property({ type: 'json' }) answer!: Record<string, unknown>;
  @Property({ type: 'Date', columnType: 'timestamptz' }) createdAt!: Date;
}

@Entity({ tableName: 'ledger_entry' })
export class LedgerEntryEntity {
  @PrimaryKey({ type: 'bigint', autoincrement: true }) seq!: string;
  @Property({ type: 'string', length: 64, unique: true }) id!: string;
  @Property({ type: 'string', length: 128 }) accountId!: string;
  @Property({ type: 'string', length: 16 }) type!: string;
  @Property({ type: new DecimalType(20, 2) }) amount!: Dec;
  @Property({ type: new DecimalType(20, 2) }) balanceAfter!: Dec;
  @Property({ type: 'string', length: 64, nullable: true }) billId!: string | null;
  @Property({ type: 'string', length: 128, nullable: true }) reference!: string | null;
  @Property({ type: 'Date', columnType: 'timestamptz' }) createdAt!: Date;
}

export const BILLING_ENTITIES = [
  BillingAccountEntity,
  DiscountEntity,
  BillingRunEntity,
  BillingRunJobEntity,
  BillEntity,
  BillLineEntity,
  AccountPeriodEntity,
  TopUpEntity,
  LedgerEntryEntity,
  OutboxEntity,
];
