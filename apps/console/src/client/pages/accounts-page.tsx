import { FormEvent, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { queryString } from '../api/api-client';
import { Account } from '../api/views';
import { LoadStatus, Section } from '../components/common';
import { Column, DataTable } from '../components/data-table';
import { formatInstant } from '../periods';
import { useLoad } from '../session';

const PAGE = 25;

const accountColumns: Column<Account>[] = [
  { title: 'Id', cell: (account) => <Link to={`/accounts/${encodeURIComponent(account.id)}`}>{account.id}</Link> },
  { title: 'Name', cell: (account) => account.name },
  { title: 'Currency', cell: (account) => account.currency },
  { title: 'Created (UTC+8)', cell: (account) => formatInstant(account.createdAt) },
];

/** Accounts: search by id or name prefix (GET /v1/accounts on subscription), paged by id. */
export function AccountsPage() {
  const [params, setParams] = useSearchParams();
  const search = params.get('search') ?? '';
  const after = params.get('after') ?? '';
  const [typed, setTyped] = useState(search);
  const accounts = useLoad(
    (api) => api.get<Account[]>('subscription', `/v1/accounts${queryString({ search, limit: PAGE, after })}`),
    `${search}|${after}`,
  );

  function submit(event: FormEvent): void {
    event.preventDefault();
    setParams(typed.trim() ? { search: typed.trim() } : {});
  }

  const rows = accounts.data ?? [];
  return (
    <Section title="Accounts">
      <form className="inline-form" onSubmit={submit} role="search">
        <input
          aria-label="Search accounts"
          placeholder="id or name starts with…"
          value={typed}
          onChange={(event) => setTyped(event.target.value)}
        />
        <button type="submit">Search</button>
      </form>
      <LoadStatus load={accounts} whileError />
      <DataTable
        columns={accountColumns}
        rows={rows}
        rowKey={(account) => account.id}
        empty={!accounts.loading && !accounts.error ? 'No account matches.' : undefined}
      />
      <div className="pager">
        {after ? <button onClick={() => setParams(search ? { search } : {})}>First page</button> : null}
        {rows.length === PAGE ? (
          <button onClick={() => setParams({ ...(search ? { search } : {}), after: rows[rows.length - 1].id })}>
            Next page
          </button>
        ) : null}
      </div>
    </Section>
  );
}
