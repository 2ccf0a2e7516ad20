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
  @ApiProperty({ type: [RunView], description: 'runs the scheduler tick at the new instant started (every ended month without a run, and late accounts: #9.4, #9.5)' })
  runsStarted!: RunView[];
}

/**
 * Only registered with BILLING_TEST_CLOCK=true (otherwise the route does not exist: 404). Every move
 * (and the reset) is followed by a scheduler tick at the new instant: moving across 00:00 UTC+8 of
 * a first day runs every month that ended in between (trigger `schedule`).
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
    this.clock.set(target);
    return this.answer();
  }

  @Delete()
  @ApiOkResponse({ type: ClockView })
  async reset(): Promise<ClockView> {
    this.clock.reset();
    return this.answer();
  }

  private async answer(): Promise<ClockView> {
    const runs = await this.scheduler.clockMoved();
    return { now: billingCalendar.formatInstant(this.clock.now()), frozen: this.clock.frozen, runsStarted: runs.map(runView) };
  }
}
