import { FormEvent, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { queryString } from '../api/api-client';
import { Account } from '../api/views';
import { ErrorBox, Loading, Section } from '../components/common';
import { formatInstant } from '../periods';
import { useLoad } from '../session';

const PAGE = 25;

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
      <ErrorBox error={accounts.error} />
      <Loading loading={accounts.loading && !accounts.data} />
      <table>
        <thead>
          <tr>
            <th>Id</th>
            <th>Name</th>
            <th>Currency</th>
            <th>Created (UTC+8)</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((account) => (
            <tr key={account.id}>
              <td>
                <Link to={`/accounts/${encodeURIComponent(account.id)}`}>{account.id}</Link>
              </td>
              <td>{account.name}</td>
              <td>{account.currency}</td>
              <td>{formatInstant(account.createdAt)}</td>
            </tr>
          ))}
          {!accounts.loading && rows.length === 0 && !accounts.error ? (
            <tr>
              <td colSpan={4} className="muted">
                No account matches.
              </td>
            </tr>
          ) : null}
        </tbody>
      </table>
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
