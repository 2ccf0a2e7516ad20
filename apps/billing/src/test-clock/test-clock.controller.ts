import { Body, Controller, Delete, Get, Inject, Put } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiProperty, ApiTags } from '@nestjs/swagger';
import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';
import { billingCalendar, instantSchema } from '@cec/kernel';
import { BillingScheduler } from '../scheduling/billing.scheduler';
import { BillingRunView as RunView, runView } from '../http/views';
import { TEST_CLOCK, TestClock } from './test-clock';

export const SetClockSchema = z.strictObject({
  now: instantSchema().meta({ example: '2026-05-01T00:00:00+08:00', description: 'ISO-8601 instant with an offset (within ±14:00)' }),
});
export class SetClockDto extends createZodDto(SetClockSchema) {}

export class ClockView {
  @ApiProperty({ example: '2026-05-01T00:00:00+08:00' }) now!: string;
  @ApiProperty({ description: 'true while set to an instant; false while following the system clock' }) frozen!: boolean;
  @ApiProperty({ type: [RunView], description: 'runs the scheduler started because the move crossed 00:00 UTC+8 of a 1st' })
  runsStarted!: RunView[];
}

/**
 * Only registered with BILLING_TEST_CLOCK=true (otherwise the route does not exist: 404). Moving
 * the clock forward across 00:00 UTC+8 of a first day fires the scheduler for every month that
 * ended in between (trigger `schedule`).
 */
@ApiTags('test clock')
@ApiBadRequestResponse({ description: 'VALIDATION_FAILED: a body, query or path parameter broke its schema; the message names the field' })
@Controller('v1/test/clock')
export class TestClockController {
  constructor(
    @Inject(TEST_CLOCK) private readonly clock: TestClock,
    private readonly scheduler: BillingScheduler,
  ) {}

  @Get()
  @ApiOkResponse({ type: ClockView })
  read(): ClockView {
    return { now: billingCalendar.formatInstant(this.clock.now()), frozen: this.clock.frozen, runsStarted: [] };
  }

  @Put()
  @ApiOkResponse({ type: ClockView })
  async move(@Body() body: SetClockDto): Promise<ClockView> {
    const target = billingCalendar.parseInstant(body.now, 'now');
    const before = this.clock.now();
    this.clock.set(target);
    return this.answer(before);
  }

  @Delete()
  @ApiOkResponse({ type: ClockView })
  async reset(): Promise<ClockView> {
    const before = this.clock.now();
    this.clock.reset();
    return this.answer(before);
  }

  private async answer(before: ReturnType<TestClock['now']>): Promise<ClockView> {
    const runs = await this.scheduler.clockMoved(before, this.clock.now());
    return { now: billingCalendar.formatInstant(this.clock.now()), frozen: this.clock.frozen, runsStarted: runs.map(runView) };
  }
}
