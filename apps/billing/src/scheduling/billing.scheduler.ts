import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Cron } from '@nestjs/schedule';
import { CreateRequestContext, MikroORM } from '@mikro-orm/postgresql';
import type { DateTime } from 'luxon';
import { BILLING_ZONE_IANA, billingCalendar, Clock, CLOCK } from '@cec/kernel';
import { BillingRunView, CatchUpBillingRunsUseCase, ResumeBillingRunsUseCase, RunEndedPeriodsUseCase, StartBillingRunUseCase } from '@cec/billing-application';
import { BILLING_RUN_SETTINGS } from '../billing.tokens';
import type { BillingRunSettings } from '../billing.settings';

/** 00:00:00 on day 1 of every month (seconds field first), in the billing zone, not the host's. */
export const MONTHLY_RUN_CRON = '0 0 0 1 * *';
export const MONTHLY_RUN_JOB = 'billing-monthly-run';

/**
 * The billing scheduler (R7.1, R7.3): the monthly cron, the catch-up at boot, resuming runs cut
 * short, and the test clock's moves. Every replica runs it; the database lets one run per period
 * run at a time, and the scheduler never repeats a month that has a completed run.
 */
@Injectable()
export class BillingScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(BillingScheduler.name);
  private sweepTimer: NodeJS.Timeout | null = null;
  private booting: Promise<void> | null = null;

  constructor(
    readonly orm: MikroORM,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(BILLING_RUN_SETTINGS) private readonly settings: BillingRunSettings,
    private readonly startRun: StartBillingRunUseCase,
    private readonly runEndedPeriods: RunEndedPeriodsUseCase,
    private readonly catchUp: CatchUpBillingRunsUseCase,
    private readonly resume: ResumeBillingRunsUseCase,
  ) {}

  @Cron(MONTHLY_RUN_CRON, { name: MONTHLY_RUN_JOB, timeZone: BILLING_ZONE_IANA })
  @CreateRequestContext()
  async monthlyRun(): Promise<void> {
    const period = billingCalendar.lastEndedPeriod(this.clock.now());
    try {
      const { run } = await this.startRun.execute({ period: period.toString(), trigger: 'schedule' });
      this.logger.log(`monthly run of ${run.period}: ${run.id} (${run.status})`);
    } catch (error) {
      this.logger.error(`monthly run of ${period.toString()} could not start: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  onApplicationBootstrap(): void {
    this.booting = this.boot();
    if (this.settings.sweepIntervalMs > 0) {
      this.sweepTimer = setInterval(() => void this.sweep(), this.settings.sweepIntervalMs);
      this.sweepTimer.unref();
    }
  }

  /** Resolves when the boot work (resume, catch-up) is done; for tests and health. */
  whenBooted(): Promise<void> {
    return this.booting ?? Promise.resolve();
  }

  /** A test clock moved from `from` to `to`: run every month that ended in between. */
  async clockMoved(from: DateTime, to: DateTime): Promise<BillingRunView[]> {
    return this.runEndedPeriods.execute(from, to);
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    await this.booting?.catch(() => undefined);
  }

  @CreateRequestContext()
  private async boot(): Promise<void> {
    try {
      const published = await this.resume.execute();
      if (published > 0) this.logger.log(`resumed runs: ${published} planned job(s) published`);
      if (this.settings.catchUpOnBoot) {
        const started = await this.catchUp.execute();
        for (const run of started) this.logger.log(`catch-up (R7.3): run ${run.id} of ${run.period}`);
      }
    } catch (error) {
      this.logger.error(`boot resume/catch-up failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private async sweep(): Promise<void> {
    try {
      await this.resume.execute();
    } catch (error) {
      this.logger.warn(`run sweep failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
