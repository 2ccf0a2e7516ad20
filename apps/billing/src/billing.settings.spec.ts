import { ConfigError } from '@cec/platform';
import { loadBillingRunSettings } from './billing.settings';

describe('billing run settings (#9.1, #9.6)', () => {
  it('#9.6 defaults: a 10 s job ack wait (taken over in seconds), 8 attempts, retries backing off from 2 s to 60 s', () => {
    expect(loadBillingRunSettings({})).toMatchObject({ jobAckWaitMs: 10_000, jobMaxAttempts: 8, jobRetryDelaysMs: [2000, 5000, 10_000, 20_000, 30_000, 60_000] });
  });

  it('reads BILLING_JOB_MAX_ATTEMPTS and BILLING_JOB_RETRY_DELAYS_MS, and names a bad value', () => {
    expect(loadBillingRunSettings({ BILLING_JOB_MAX_ATTEMPTS: '3', BILLING_JOB_RETRY_DELAYS_MS: '100, 200' })).toMatchObject({ jobMaxAttempts: 3, jobRetryDelaysMs: [100, 200] });
    expect(() => loadBillingRunSettings({ BILLING_JOB_RETRY_DELAYS_MS: '1s,2s' })).toThrow(ConfigError);
    expect(() => loadBillingRunSettings({ BILLING_JOB_RETRY_DELAYS_MS: '1s,2s' })).toThrow(/BILLING_JOB_RETRY_DELAYS_MS/);
  });
});
