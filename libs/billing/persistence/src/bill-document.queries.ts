import { EntityManager } from '@mikro-orm/postgresql';
import { Currency, Money } from '@cec/kernel';
import type { BillDocumentQueries, DocumentAccount, LedgerEntryType, LedgerEntryView } from '@cec/billing-application';
import { rows, toDateTime } from './sql';

interface EntryRow {
  id: string;
  type: LedgerEntryType;
  amount: string;
  balance_after: string;
  bill_id: string | null;
  reference: string | null;
  created_at: Date;
  currency: string;
}

/** Issue 12: the account and the issue's ledger entry of a bill document (read only). */
export class SqlBillDocumentQueries implements BillDocumentQueries {
  constructor(private readonly em: EntityManager) {}

  async account(accountId: string): Promise<DocumentAccount | null> {
    const [row] = await rows<{ id: string; name: string }>(
      this.em.getKnex(),
      'select "id", "name" from "account" where "id" = ?',
      [accountId],
    );
    return row ? { id: row.id, name: row.name } : null;
  }

  async issueEntry(accountId: string, billId: string): Promise<LedgerEntryView | null> {
    // the issue writes at most one deduction or one crediting adjustment for its own bill (R7.4);
    // settlements by later top-ups also name the bill but are of another type
    const [row] = await rows<EntryRow>(
      this.em.getKnex(),
      `select e."id", e."type", e."amount"::text, e."balance_after"::text, e."bill_id", e."reference", e."created_at",
              a."currency"
         from "ledger_entry" e join "account" a on a."id" = e."account_id"
        where e."account_id" = ? and e."bill_id" = ? and e."type" in ('deduction', 'adjustment')
        order by e."seq" limit 1`,
      [accountId, billId],
    );
    if (!row) return null;
    const currency = row.currency as Currency;
    return {
      id: row.id,
      type: row.type,
      amount: Money.ofCents(row.amount, currency),
      balanceAfter: Money.ofCents(row.balance_after, currency),
      billId: row.bill_id,
      reference: row.reference,
      createdAt: toDateTime(row.created_at),
    };
  }
}
