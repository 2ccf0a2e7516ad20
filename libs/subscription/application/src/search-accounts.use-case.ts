import type { Account } from '@cec/subscription-domain';
import type { AccountSearch, SubscriptionDeps } from './subscription.ports';

/** Default and largest page of `GET /v1/accounts`. */
export const DEFAULT_ACCOUNT_PAGE = 50;
export const MAX_ACCOUNT_PAGE = 200;

/**
 * `GET /v1/accounts?search=&limit=&after=`: accounts whose id or name starts with `search`
 * (case-insensitive), in id order; the next page starts after the last id of this one.
 */
export class SearchAccountsUseCase {
  constructor(private readonly deps: SubscriptionDeps) {}

  execute(query: Partial<AccountSearch>): Promise<Account[]> {
    const search = query.search?.trim();
    return this.deps.accounts.search({
      limit: query.limit ?? DEFAULT_ACCOUNT_PAGE,
      ...(search ? { search } : {}),
      ...(query.after ? { after: query.after } : {}),
    });
  }
}
