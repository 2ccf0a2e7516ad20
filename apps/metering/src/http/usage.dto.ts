import { ApiProperty } from '@nestjs/swagger';
import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';
import { clientIdSchema, instantSchema, MAX_QUANTITY, periodSchema, quantitySchema, queryIntegerSchema, queryParam, requiredQueryParam } from '@cec/kernel';
import { MAX_REJECTED_LIMIT, MAX_USAGE_EVENTS_PER_REQUEST } from '@cec/metering-application';

// One zod schema per input (validation, type and OpenAPI from one source). The events of a batch
// are checked one by one by the domain (R6.3: a bad event is refused and dead-lettered, it does
// not fail the batch), so the request schema checks the batch and documents the event.

/** The shape of one usage event, as documented (the domain's validator applies the same rules). */
export const UsageEventSchema = z.object({
  id: clientIdSchema().meta({ example: 'evt-2025-11-05-0001', description: 'Unique event id (R6.1): 1-128 of letters, digits, ".", "_", ":", "-"' }),
  subscriptionId: clientIdSchema().meta({ example: 'sub_0123abcd', description: 'A subscription metering knows (learned from subscription.changed)' }),
  quantity: quantitySchema().meta({ example: 9, description: `Quantity in use from \`timestamp\` on: a whole number from 0 to ${MAX_QUANTITY} (R3.4, #8.5)` }),
  timestamp: instantSchema().meta({ example: '2025-11-05T10:00:00+08:00', description: 'ISO-8601 instant with an offset, kept to the second (R2.2)' }),
});

const eventsRule = `must be an array of 1 to ${MAX_USAGE_EVENTS_PER_REQUEST} usage events`;
// the event's JSON schema, shown as the items of `events` in the OpenAPI (without the `$schema` header)
const usageEventJsonSchema: Record<string, unknown> = { ...z.toJSONSchema(UsageEventSchema, { io: 'input', target: 'openapi-3.0' }) };
delete usageEventJsonSchema['$schema'];
export const ReportUsageEventsSchema = z.strictObject({
  events: z
    .array(z.unknown(), { error: eventsRule })
    .min(1, { error: eventsRule })
    .max(MAX_USAGE_EVENTS_PER_REQUEST, { error: eventsRule })
    .meta({
      items: usageEventJsonSchema,
      description: '1 to 1000 events. Each is accepted, a duplicate (same id again: no effect, R6.1), or refused with a reason and dead-lettered (R6.3).',
    }),
});
export class ReportUsageEventsDto extends createZodDto(ReportUsageEventsSchema) {}

export const UsageQuerySchema = z.strictObject({
  subscriptionId: requiredQueryParam(clientIdSchema('is not a valid subscription id'), 'is required').meta({ example: 'sub_0123abcd' }),
  period: requiredQueryParam(periodSchema(), 'must be a month written YYYY-MM').meta({
    example: '2025-11',
    description: 'A month, YYYY-MM, in the billing calendar (UTC+8)',
  }),
});
export class UsageQueryDto extends createZodDto(UsageQuerySchema) {}

export const RejectedQuerySchema = z.strictObject({
  limit: queryParam(queryIntegerSchema(1, MAX_REJECTED_LIMIT)).meta({ example: '100', description: `How many, newest first: 1 to ${MAX_REJECTED_LIMIT}, default 100` }),
});
export class RejectedQueryDto extends createZodDto(RejectedQuerySchema) {}

/** `/v1/usage-events/rejected/:id`: a dead letter's id, as listed (a positive whole number). */
export const DeadLetterIdParamsSchema = z.strictObject({
  id: z.string().regex(/^[1-9][0-9]{0,17}$/, { error: 'is not a dead letter id' }).meta({ example: '42' }),
});
export class DeadLetterIdParamsDto extends createZodDto(DeadLetterIdParamsSchema) {}

export class RejectedUsageEventView {
  @ApiProperty({ type: String, nullable: true, description: 'The event id, null when it was missing or malformed' })
  id!: string | null;

  @ApiProperty({ enum: ['VALIDATION_FAILED', 'EVENT_ID_CONFLICT'], description: 'EVENT_ID_CONFLICT (#8.6): the id is already used by an event with another subscriptionId, quantity or timestamp (to the second)' })
  code!: string;

  @ApiProperty({ example: 'quantity must be a whole number >= 0 and at most 1000000' })
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

export class DeadLetterView {
  @ApiProperty({ example: '42', description: 'Id of the dead letter (increasing)' })
  id!: string;

  @ApiProperty({ enum: ['rest', 'nats'] })
  source!: string;

  @ApiProperty({ enum: ['VALIDATION_FAILED', 'UNKNOWN_SUBSCRIPTION', 'EVENT_ID_CONFLICT'] })
  code!: string;

  @ApiProperty({ example: 'quantity must be a whole number >= 0 and at most 1000000' })
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
