import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Allow } from 'class-validator';

// DTOs document and whitelist; the domain validates each event and names the field at fault.

export class UsageEventDto {
  @ApiProperty({ example: 'evt-2025-11-05-0001', description: 'Unique event id (R6.1): 1-128 of letters, digits, ".", "_", ":", "-"' })
  id!: string;

  @ApiProperty({ example: 'sub_0123abcd', description: 'A subscription metering knows (learned from subscription.changed)' })
  subscriptionId!: string;

  @ApiProperty({ example: 9, description: 'Quantity in use from `timestamp` on: a whole number >= 0 (R3.4)' })
  quantity!: number;

  @ApiProperty({ example: '2025-11-05T10:00:00+08:00', description: 'ISO-8601 instant with an offset, kept to the second (R2.2)' })
  timestamp!: string;
}

export class ReportUsageEventsDto {
  @Allow()
  @ApiProperty({
    type: [UsageEventDto],
    minItems: 1,
    maxItems: 1000,
    description: '1 to 1000 events. Each is accepted, a duplicate (same id again: no effect, R6.1), or refused with a reason and dead-lettered (R6.3).',
  })
  events!: unknown;
}

export class RejectedUsageEventView {
  @ApiProperty({ type: String, nullable: true, description: 'The event id, null when it was missing or malformed' })
  id!: string | null;

  @ApiProperty({ enum: ['VALIDATION_FAILED', 'EVENT_ID_CONFLICT'], description: 'EVENT_ID_CONFLICT (#8.6): the id is already used by an event with another subscriptionId, quantity or timestamp (to the second)' })
  code!: string;

  @ApiProperty({ example: 'quantity must be a whole number from 0 to 1000000000' })
  message!: string;
}

export class ReportUsageEventsResultView {
  @ApiProperty({ description: 'Events stored now, parked ones included (each will be counted)' })
  accepted!: number;

  @ApiProperty({
    description:
      'Of `accepted`, events for a subscription metering does not know yet (#9.3): kept, and counted from the moment it learns the subscription ' +
      '(subscription.changed); dead-lettered UNKNOWN_SUBSCRIPTION if it never does within PARKED_USAGE_TTL_SECONDS (default 24 h)',
  })
  parked!: number;

  @ApiProperty({ description: 'Events whose id was already stored (or repeated in the batch): no effect (R6.1)' })
  duplicates!: number;

  @ApiProperty({ type: [RejectedUsageEventView] })
  rejected!: RejectedUsageEventView[];
}

export class UsageQueryDto {
  @Allow() @ApiProperty({ example: 'sub_0123abcd' })
  subscriptionId!: unknown;

  @Allow() @ApiProperty({ example: '2025-11', description: 'A month, YYYY-MM, in the billing calendar (UTC+8)' })
  period!: unknown;
}

export class DayUsageView {
  @ApiProperty({ example: '2025-11-05', description: 'A calendar date in UTC+8' })
  date!: string;

  @ApiProperty({ example: 9, description: 'q(d) of R4.1: the largest quantity in force at any instant of the day; 0 when nothing was in force' })
  quantity!: number;
}

export class DailyUsageView {
  @ApiProperty() subscriptionId!: string;
  @ApiProperty({ example: '2025-11' }) period!: string;

  @ApiProperty({ type: [DayUsageView], description: 'Every day of the month in order, days with quantity 0 included' })
  days!: DayUsageView[];

  @ApiProperty({ example: 96, description: 'The sum of q(d) over the month (R4.4)' })
  quantityDays!: number;
}

export class RejectedQueryDto {
  @Allow() @ApiPropertyOptional({ example: 100, description: 'How many, newest first: 1 to 1000, default 100' })
  limit?: unknown;
}

export class DeadLetterView {
  @ApiProperty({ example: '42', description: 'Id of the dead letter (increasing)' })
  id!: string;

  @ApiProperty({ enum: ['rest', 'nats'] })
  source!: string;

  @ApiProperty({ enum: ['VALIDATION_FAILED', 'UNKNOWN_SUBSCRIPTION', 'EVENT_ID_CONFLICT'] })
  code!: string;

  @ApiProperty({ example: 'quantity must be a whole number from 0 to 1000000000' })
  message!: string;

  @ApiProperty({ description: 'What was received: the event as sent, or the raw text when it was not JSON', type: 'object', additionalProperties: true })
  payload!: unknown;

  @ApiProperty({ example: '2025-11-05T02:00:01.000Z' })
  receivedAt!: string;

  @ApiProperty({ type: String, nullable: true, example: null, description: 'When a replay first stored the event (or found it stored); null until then. Never deleted.' })
  replayedAt!: string | null;

  @ApiProperty({ type: String, nullable: true, enum: ['accepted', 'duplicate', 'parked'], description: 'What that first successful replay did' })
  replayOutcome!: string | null;
}

export class ReplayResultView {
  @ApiProperty({ enum: ['accepted', 'duplicate', 'parked', 'rejected'], description: 'accepted: stored now; duplicate: already stored with the same content; parked: stored, counted once its subscription is known; rejected: refused again' })
  outcome!: string;

  @ApiProperty({ type: String, nullable: true, description: 'The refusal code when rejected again (no new dead letter is written)', example: null })
  code!: string | null;

  @ApiProperty({ type: String, nullable: true, example: null })
  message!: string | null;

  @ApiProperty({ type: DeadLetterView, description: 'The dead letter after the replay' })
  deadLetter!: DeadLetterView;
}
