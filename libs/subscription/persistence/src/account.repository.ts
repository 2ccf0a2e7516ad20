import { EntityManager, UniqueConstraintViolationException } from '@mikro-orm/postgresql';
import { DateTime } from 'luxon';
import { Currency, DomainError } from '@cec/kernel';
import { AccountCreatedEvent, SUBJECTS } from '@cec/contracts';
import { enqueueOutbox } from '@cec/platform';
import type { AccountRepository, AccountSearch } from '@cec/subscription-application';
import type { Account } from '@cec/subscription-domain';
import { AccountEntity } from './subscription.entities';

function toAccount(row: AccountEntity): Account {
  return Object.freeze({ id: row.id, name: row.name, currency: row.currency as Currency, createdAt: DateTime.fromJSDate(row.createdAt, { zone: 'utc' }) });
}

/** MikroORM implementation of the account port; the primary key refuses a second account with an id. */
export class MikroOrmAccountRepository implements AccountRepository {
  constructor(
    private readonly em: EntityManager,
    /** Called after a commit that enqueued events (pokes the outbox relay). */
    private readonly afterCommit: () => void = () => undefined,
  ) {}

  async create(account: Account, event: AccountCreatedEvent): Promise<void> {
    try {
      await this.em.fork().transactional(async (tx) => {
        await tx.insert(AccountEntity, { id: account.id, name: account.name, currency: account.currency, createdAt: account.createdAt.toJSDate() });
        enqueueOutbox(tx, [{ eventId: event.id, subject: SUBJECTS.accountCreated, payload: event }], account.createdAt.toJSDate());
      });
    } catch (error) {
      if (error instanceof UniqueConstraintViolationException && (error as { constraint?: string }).constraint === 'account_pkey') {
        throw new DomainError('ACCOUNT_EXISTS', `id: an account with id "${account.id}" already exists`);
      }
      throw error;
    }
    this.afterCommit();
  }

  async find(id: string): Promise<Account | null> {
    const row = await this.em.fork().findOne(AccountEntity, { id });
    return row ? toAccount(row) : null;
  }

  async search(query: AccountSearch): Promise<Account[]> {
    // starts_with needs no escaping of LIKE wildcards: a search for "a_b" finds only "a_b…"
    const where: string[] = [];
    const params: unknown[] = [];
    if (query.search !== undefined) {
      where.push('(starts_with(lower(id), lower(?)) or starts_with(lower(name), lower(?)))');
      params.push(query.search, query.search);
    }
    if (query.after !== undefined) {
      where.push('id collate "C" > ?');
      params.push(query.after);
    }
    params.push(query.limit);
    // a raw query: the driver may hand timestamptz back as text, hence new Date(...) below
    const rows = await this.em
      .fork()
      .getConnection()
      .execute<Array<{ id: string; name: string; currency: string; created_at: Date | string }>>(
        `select id, name, currency, created_at from account ` +
          `${where.length > 0 ? `where ${where.join(' and ')}` : ''} ` +
          'order by id collate "C" limit ?',
        params,
      );
    return rows.map((row) =>
      toAccount({ id: row.id, name: row.name, currency: row.currency, createdAt: new Date(row.created_at) }),
    );
  }
}
