import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ExpireParkedUsageUseCase } from '@cec/metering-application';
import { METERING_CONSUMER_SETTINGS, MeteringConsumerSettings } from './consumer-settings';

/**
 * #9.3: every `parkedUsageSweepIntervalMs`, dead-letters the usage parked longer than the bound
 * (UNKNOWN_SUBSCRIPTION) and un-parks any whose subscription is known by now. Every replica
 * sweeps; rows are taken with skip locked, so two sweeps never handle one event twice. A failed
 * sweep is logged and tried again at the next tick.
 */
@Injectable()
export class ParkedUsageSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ParkedUsageSweeper.name);
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(
    private readonly expire: ExpireParkedUsageUseCase,
    @Inject(METERING_CONSUMER_SETTINGS) private readonly settings: MeteringConsumerSettings,
  ) {}

  onApplicationBootstrap(): void {
    if (this.settings.parkedUsageSweepIntervalMs <= 0) return;
    this.timer = setInterval(() => this.tick(), this.settings.parkedUsageSweepIntervalMs);
    this.timer.unref();
  }

  /** One sweep (skipped while the previous one still runs). */
  tick(): Promise<void> {
    if (this.running) return this.running;
    this.running = this.expire
      .execute()
      .then(({ unparked, expired }) => {
        if (expired > 0) this.logger.warn(`parked usage: ${expired} event(s) of unknown subscriptions dead-lettered UNKNOWN_SUBSCRIPTION after the bound`);
        if (unparked > 0) this.logger.log(`parked usage: ${unparked} event(s) un-parked (their subscription is known)`);
      })
      .catch((error: unknown) => this.logger.error(`parked usage sweep failed, trying again at the next tick: ${error instanceof Error ? error.message : String(error)}`))
      .finally(() => {
        this.running = null;
      });
    return this.running;
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }
}
