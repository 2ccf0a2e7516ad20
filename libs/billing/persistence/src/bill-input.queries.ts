import { EntityManager } from '@mikro-orm/postgresql';
import type { BillInput } from '@cec/billing-domain';
import type { BillInputStore } from '@cec/billing-application';
import { rows } from './sql';

/** Issue 10: the inputs kept with each bill (`bill_input`, written in the bill's transaction). */
export class SqlBillInputStore implements BillInputStore {
  constructor(private readonly em: EntityManager) {}

  async find(billId: string): Promise<BillInput | null> {
    const [row] = await rows<{ input: BillInput }>(this.em.getKnex(), 'select "input" from "bill_input" where "bill_id" = ?', [billId]);
    return row?.input ?? null;
  }
}
