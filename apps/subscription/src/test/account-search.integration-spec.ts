import { CLOCK, FakeClock } from '@cec/kernel';
import { resetSchema, RunningTestApp, sql, startTestApp, useTestEnvironment } from '@cec/testing';
import { SubscriptionAppModule } from '../app.module';
import { SUBSCRIPTION_ORM } from '../subscription.module-def';

useTestEnvironment();

interface AccountBody {
  id: string;
  name: string;
  currency: string;
  createdAt: string;
}

describe("#12 GET /v1/accounts: the console's account search (id or name prefix, paged by id)", () => {
  const clock = new FakeClock('2026-04-16T01:00:00Z');
  let running: RunningTestApp;

  beforeAll(async () => {
    await resetSchema(SUBSCRIPTION_ORM);
    running = await startTestApp(SubscriptionAppModule.register({ clock: { provide: CLOCK, useValue: clock } }), {
      app: 'subscription',
      title: 'subscription',
      description: 'test',
    });
    for (const [id, name] of [
      ['acme', 'Acme Contact Center'],
      ['acme-2', 'Second Acme'],
      ['globex', 'Globex Corporation'],
      ['initech', 'ACME Initech Joint Venture'],
      ['a_b', 'Underscore'],
      ['axb', 'Wildcard bait'],
    ]) {
      expect((await running.api.post('/v1/accounts', { id, name })).status).toBe(201);
    }
  });

  afterAll(async () => {
    await running?.close();
  });

  const ids = (body: AccountBody[]): string[] => body.map((account) => account.id);

  it('without a search lists every account in id order, with the account view', async () => {
    const response = await running.api.get<AccountBody[]>('/v1/accounts');
    expect(response.status).toBe(200);
    expect(ids(response.body)).toEqual(['a_b', 'acme', 'acme-2', 'axb', 'globex', 'initech']);
    expect(response.body[1]).toEqual({
      id: 'acme',
      name: 'Acme Contact Center',
      currency: 'USD',
      createdAt: '2026-04-16T09:00:00+08:00',
    });
  });

  it('matches a prefix of the id or of the name, case-insensitively', async () => {
    expect(ids((await running.api.get<AccountBody[]>('/v1/accounts?search=ACME')).body)).toEqual([
      'acme',
      'acme-2',
      'initech',
    ]);
    expect(ids((await running.api.get<AccountBody[]>('/v1/accounts?search=glob')).body)).toEqual(['globex']);
    expect(ids((await running.api.get<AccountBody[]>('/v1/accounts?search=second%20ac')).body)).toEqual(['acme-2']);
    expect((await running.api.get<AccountBody[]>('/v1/accounts?search=nobody')).body).toEqual([]);
  });

  it('treats LIKE wildcards in the search as plain characters', async () => {
    expect(ids((await running.api.get<AccountBody[]>('/v1/accounts?search=a_')).body)).toEqual(['a_b']);
    expect((await running.api.get<AccountBody[]>('/v1/accounts?search=%25')).body).toEqual([]);
  });

  it('pages with limit and after (the last id of the previous page) until a page is short', async () => {
    const first = await running.api.get<AccountBody[]>('/v1/accounts?limit=4');
    expect(ids(first.body)).toEqual(['a_b', 'acme', 'acme-2', 'axb']);
    const second = await running.api.get<AccountBody[]>('/v1/accounts?limit=4&after=axb');
    expect(ids(second.body)).toEqual(['globex', 'initech']);
    const searched = await running.api.get<AccountBody[]>('/v1/accounts?search=acme&limit=1&after=acme');
    expect(ids(searched.body)).toEqual(['acme-2']);
  });

  it.each([
    ['limit=0', 'limit'],
    ['limit=201', 'limit'],
    ['limit=ten', 'limit'],
    ['after=bad%20id', 'after'],
    ['search=a&search=b', 'search'],
    [`search=${'x'.repeat(201)}`, 'search'],
    ['sort=name', 'sort'],
  ])('R8.1 ?%s is a 400 VALIDATION_FAILED naming %s, and changes nothing', async (query, field) => {
    const before = await sql<{ accounts: string }>('select count(*)::text as accounts from subscription.account');
    const response = await running.api.get(`/v1/accounts?${query}`);
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({
      statusCode: 400,
      code: 'VALIDATION_FAILED',
      message: expect.stringContaining(field),
    });
    expect(await sql('select count(*)::text as accounts from subscription.account')).toEqual(before);
  });

  it('needs the operator token like every /v1 route', async () => {
    const response = await running.api.withToken(null).get('/v1/accounts?search=acme');
    expect(response.status).toBe(401);
    expect(response.body).toMatchObject({ code: 'UNAUTHORIZED' });
  });

  it('is documented in the OpenAPI with its three query parameters', async () => {
    const docs = await running.api.get<{
      paths: Record<string, { get?: { parameters?: Array<{ name: string; in: string }> } }>;
    }>('/docs-json');
    const parameters = docs.body.paths['/v1/accounts']?.get?.parameters ?? [];
    expect(
      parameters
        .filter((p) => p.in === 'query')
        .map((p) => p.name)
        .sort(),
    ).toEqual(['after', 'limit', 'search']);
  });
});
