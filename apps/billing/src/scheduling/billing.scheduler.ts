import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Cron } from '@nestjs/schedule';
import { CreateRequestContext, MikroORM } from '@mikro-orm/postgresql';
import { BILLING_ZONE_IANA } from '@cec/kernel';
import { BillingRunView, PlanDueRunsUseCase, ResumeBillingRunsUseCase } from '@cec/billing-application';
import { BILLING_RUN_SETTINGS } from '../billing.tokens';
import type { BillingRunSettings } from '../billing.settings';

/**
 * The scheduler's tick (seconds field first), in the billing zone, not the host's: every 5 minutes,
 * which includes 00:00:00 on day 1 of every month (R7.1).
 */
export const SCHEDULER_TICK_CRON = '0 */5 * * * *';
export const SCHEDULER_TICK_JOB = 'billing-scheduler-tick';

/**
 * The billing scheduler (R7.1, R7.3, #9.4, #9.5): a frequent tick that is the catch-up itself
 * (PlanDueRunsUseCase: every ended month of the look-back without a run, and every month an account
 * that arrived late has usage in and was never processed for), at boot and on the test clock's
 * moves; and resuming runs cut short. It never computes "last month" at the tick: a tick a little
 * early (or on a replica whose clock is behind) finds nothing new, and the month that just ended is
 * run by the next tick. Every replica ticks; the database lets one run per period run at a time,
 * and a tick with nothing due costs a few queries.
 */
@Injectable()
export class BillingScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(BillingScheduler.name);
  private sweepTimer: NodeJS.Timeout | null = null;
  private booting: Promise<void> | null = null;
  private ticking: Promise<BillingRunView[]> | null = null;

  constructor(
    readonly orm: MikroORM,
    @Inject(BILLING_RUN_SETTINGS) private readonly settings: BillingRunSettings,
    private readonly planDueRuns: PlanDueRunsUseCase,
    private readonly resume: ResumeBillingRunsUseCase,
  ) {}

  @Cron(SCHEDULER_TICK_CRON, { name: SCHEDULER_TICK_JOB, timeZone: BILLING_ZONE_IANA })
  async onTick(): Promise<void> {
    if (!this.settings.schedulerTick) return;
    await this.tick();
  }

  /**
   * One tick: plans every run that is due now (see PlanDueRunsUseCase) and returns the runs it
   * started. Ticks of one replica never overlap: a tick asked for while one runs waits for it and
   * then runs again, so that it sees what the first one did.
   */
  async tick(): Promise<BillingRunView[]> {
    while (this.ticking) await this.ticking.catch(() => undefined);
    const current = this.runTick();
    this.ticking = current;
    try {
      return await current;
    } finally {
      if (this.ticking === current) this.ticking = null;
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

  /** The test clock was moved (forward or back): a tick at the new instant; the runs it started. */
  async clockMoved(): Promise<BillingRunView[]> {
    return this.tick();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    await this.booting?.catch(() => undefined);
    await this.ticking?.catch(() => undefined);
  }

  @CreateRequestContext()
  private async runTick(): Promise<BillingRunView[]> {
    try {
      const outcome = await this.planDueRuns.execute();
      if (outcome.deferred) this.logger.warn(`scheduler tick deferred to the next tick: ${outcome.deferred}`);
      for (const run of outcome.started) this.logger.log(`scheduler tick: run ${run.id} of ${run.period} (${run.status}, ${run.accountsTotal} account(s))`);
      return outcome.started;
    } catch (error) {
      this.logger.error(`scheduler tick failed (the next tick tries again): ${error instanceof Error ? error.message : String(error)}`);
      return [];
    }
  }

  @CreateRequestContext()
  private async boot(): Promise<void> {
    try {
      const published = await this.resume.execute();
      if (published > 0) this.logger.log(`resumed runs: ${published} planned job(s) published`);
    } catch (error) {
      this.logger.error(`boot resume failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    // R7.3: the catch-up at boot is a tick; it plans only once the account consumer has caught up
    if (this.settings.catchUpOnBoot) await this.tick();
  }

  private async sweep(): Promise<void> {
    try {
      await this.resume.execute();
    } catch (error) {
      this.logger.warn(`run sweep failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
