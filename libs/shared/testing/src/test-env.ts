/** Test settings: a database of its own, a fixed operator token, quiet logs. */
export const TEST_OPERATOR_TOKEN = 'test-operator-token-0123456789abcdef';
export const TEST_DATABASE_URL = process.env['TEST_DATABASE_URL'] ?? 'postgresql://postgres@127.0.0.1:5432/cec_billing_test';
export const TEST_NATS_URL = process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222';

/** Points the config loader of every app at the test database and token. Call before building modules. */
export function useTestEnvironment(): void {
  process.env['NODE_ENV'] = 'test';
  process.env['OPERATOR_TOKENS'] = TEST_OPERATOR_TOKEN;
  process.env['DATABASE_URL'] = TEST_DATABASE_URL;
  process.env['NATS_URL'] = TEST_NATS_URL;
  process.env['LOG_LEVEL'] = process.env['LOG_LEVEL'] ?? 'error';
}
