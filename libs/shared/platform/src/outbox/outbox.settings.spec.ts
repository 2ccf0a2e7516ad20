import { ConfigError } from '../config/app-config';
import { redeliveryDelayMs } from '../nats/jetstream.service';
import { isTransientPublishError } from './outbox.relay';
import { DEFAULT_OUTBOX_SETTINGS, loadOutboxSettings } from './outbox.settings';

describe('#9.7 outbox settings and failure classes', () => {
  it('#9.7 OUTBOX_RETENTION_HOURS defaults to 24 and must be a positive number (named in the error)', () => {
    expect(loadOutboxSettings({}).retentionHours).toBe(24);
    expect(loadOutboxSettings({ OUTBOX_RETENTION_HOURS: '0.5' }).retentionHours).toBe(0.5);
    expect(() => loadOutboxSettings({ OUTBOX_RETENTION_HOURS: '0' })).toThrow(ConfigError);
    expect(() => loadOutboxSettings({ OUTBOX_RETENTION_HOURS: 'a day' })).toThrow(/OUTBOX_RETENTION_HOURS/);
    expect(loadOutboxSettings({}).batchSize).toBe(DEFAULT_OUTBOX_SETTINGS.batchSize);
  });

  it('#9.7 NATS being away is transient (retried without bound); an oversized payload is not (parked after the bound)', () => {
    expect(isTransientPublishError(Object.assign(new Error('no responders'), { code: '503' }))).toBe(true);
    expect(isTransientPublishError(Object.assign(new Error('TIMEOUT'), { code: 'TIMEOUT' }))).toBe(true);
    expect(isTransientPublishError(new Error('JetStream is not connected yet'))).toBe(true);
    expect(isTransientPublishError(Object.assign(new Error('MAX_PAYLOAD_EXCEEDED'), { code: 'MAX_PAYLOAD_EXCEEDED' }))).toBe(false);
  });

  it('#9.6 redelivery delays follow the backoff list, the last value repeating', () => {
    expect([1, 2, 3, 4, 9].map((n) => redeliveryDelayMs([100, 200, 400], n))).toEqual([100, 200, 400, 400, 400]);
    expect(redeliveryDelayMs([], 3)).toBe(1000);
  });
});
