import { EntityManager } from '@mikro-orm/postgresql';
import type { DateTime } from 'luxon';
import { DomainError, Rate } from '@cec/kernel';
import { assertNoOverlap, Discount } from '@cec/billing-domain';
import type { DiscountRepository, StoredDiscount } from '@cec/billing-application';
import { Db, EXCLUSION_VIOLATION, execute, pgErrorCode, rows, textArray, toDateTime, inTransaction } from './sql';

interface DiscountRow {
  id: string;
  account_id: string;
  product_code: string | null;
  rate: string;
  effective_from: string;
  effective_to: string | null;
  created_at: Date;
}

const COLUMNS = '"id", "account_id", "product_code", "rate"::text, "effective_from"::text, "effective_to"::text, "created_at"';

function toDiscount(row: DiscountRow): StoredDiscount {
  return {
    id: row.id,
    accountId: row.account_id,
    productCode: row.product_code,
    // numeric(5,4) prints trailing zeros ("0.1500"); the rate is the same number
    rate: Rate.parse(row.rate.replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '')),
    effectiveFrom: row.effective_from,
    effectiveTo: row.effective_to,
    createdAt: toDateTime(row.created_at),
  };
}

async function listOf(db: Db, accountId: string): Promise<StoredDiscount[]> {
  return (await rows<DiscountRow>(db, `select ${COLUMNS} from "discount" where "account_id" = ? order by "effective_from", "product_code" nulls first, "id"`, [accountId])).map(toDiscount);
}

/** R5: discounts; overlaps of one scope are refused by the domain and by an EXCLUDE constraint. */
export class SqlDiscountRepository implements DiscountRepository {
  constructor(private readonly em: EntityManager) {}

  async insert(discount: Discount, createdAt: DateTime): Promise<StoredDiscount> {
    try {
      return await inTransaction(this.em, async (trx) => {
        const [account] = await rows<{ id: string }>(trx, 'select "id" from "account" where "id" = ? for update', [discount.accountId]);
        if (!account) throw DomainError.notFound('ACCOUNT_NOT_FOUND', `account "${discount.accountId}" is not known to billing`);
        assertNoOverlap(discount, await listOf(trx, discount.accountId));
        await execute(trx, 'insert into "discount" ("id", "account_id", "product_code", "rate", "effective_from", "effective_to", "created_at") values (?, ?, ?, ?, ?, ?, ?)', [
          discount.id,
          discount.accountId,
          discount.productCode,
          discount.rate.toString(),
          discount.effectiveFrom,
          discount.effectiveTo,
          createdAt.toJSDate(),
        ]);
        return { ...discount, createdAt };
      });
    } catch (error) {
      if (pgErrorCode(error) === EXCLUSION_VIOLATION) {
        throw new DomainError('DISCOUNT_OVERLAP', `a discount of the same scope for account ${discount.accountId} already covers part of ${discount.effectiveFrom} to ${discount.effectiveTo ?? 'open end'}`);
      }
      throw error;
    }
  }

  async listForAccount(accountId: string): Promise<StoredDiscount[] | null> {
    const knex = this.em.getKnex();
    const [account] = await rows<{ id: string }>(knex, 'select "id" from "account" where "id" = ?', [accountId]);
    if (!account) return null;
    return listOf(knex, accountId);
  }

  async listForAccounts(accountIds: readonly string[]): Promise<Discount[]> {
    if (accountIds.length === 0) return [];
    return (await rows<DiscountRow>(this.em.getKnex(), `select ${COLUMNS} from "discount" where "account_id" = any(?::text[])`, [textArray(accountIds)])).map(toDiscount);
  }
}
