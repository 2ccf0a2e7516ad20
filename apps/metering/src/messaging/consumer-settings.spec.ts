import { DEFAULT_CONSUMER_SETTINGS, loadMeteringConsumerSettings } from './consumer-settings';

describe('metering settings from the environment (#9.3 parked usage bound)', () => {
  it('#9.3 parked usage is kept 24 h by default and swept every minute', () => {
    expect(loadMeteringConsumerSettings({})).toEqual(DEFAULT_CONSUMER_SETTINGS);
    expect(DEFAULT_CONSUMER_SETTINGS).toMatchObject({ parkedUsageTtlMs: 86_400_000, parkedUsageSweepIntervalMs: 60_000 });
  });

  it('#9.3 PARKED_USAGE_TTL_SECONDS and PARKED_USAGE_SWEEP_SECONDS set them; overrides win', () => {
    expect(loadMeteringConsumerSettings({ PARKED_USAGE_TTL_SECONDS: '1.5', PARKED_USAGE_SWEEP_SECONDS: '0' })).toMatchObject({ parkedUsageTtlMs: 1500, parkedUsageSweepIntervalMs: 0 });
    expect(loadMeteringConsumerSettings({ PARKED_USAGE_TTL_SECONDS: '10' }, { parkedUsageTtlMs: 5 }).parkedUsageTtlMs).toBe(5);
  });

  it.each(['-1', 'abc', '1e3', ' '])('a bad value (%p) stops the app with a message naming the variable', (raw) => {
    expect(() => loadMeteringConsumerSettings({ PARKED_USAGE_TTL_SECONDS: raw })).toThrow(/PARKED_USAGE_TTL_SECONDS/);
  });
});
