import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBadRequestResponse, ApiBearerAuth, ApiNotFoundResponse, ApiOkResponse, ApiParam, ApiTags } from '@nestjs/swagger';
import { AllowNulInBody } from '@cec/platform';
import {
  DeadLetterRecord,
  GetDailyUsageUseCase,
  GetRejectedUsageEventUseCase,
  ListRejectedUsageEventsUseCase,
  ReplayDeadLetterUseCase,
  ReportUsageEventsUseCase,
} from '@cec/metering-application';
import { DailyUsageView, DeadLetterIdParamsDto, DeadLetterView, RejectedQueryDto, ReplayResultView, ReportUsageEventsDto, ReportUsageEventsResultView, UsageQueryDto } from './usage.dto';

function deadLetterView(record: DeadLetterRecord): DeadLetterView {
  return {
    id: record.id,
    source: record.source,
    code: record.code,
    message: record.message,
    payload: record.payload,
    receivedAt: record.receivedAt.toISO() as string,
    replayedAt: record.replayedAt ? (record.replayedAt.toISO() as string) : null,
    replayOutcome: record.replayOutcome,
  };
}

@ApiTags('usage')
@ApiBearerAuth()
@Controller('v1')
export class UsageController {
  constructor(
    private readonly reportUsageEvents: ReportUsageEventsUseCase,
    private readonly getDailyUsage: GetDailyUsageUseCase,
    private readonly listRejected: ListRejectedUsageEventsUseCase,
    private readonly getRejected: GetRejectedUsageEventUseCase,
    private readonly replayRejected: ReplayDeadLetterUseCase,
  ) {}

  @Post('usage-events')
  @AllowNulInBody() // R6.3: an event with a NUL is dead-lettered on its own; the good events land
  @HttpCode(202)
  @ApiAcceptedResponse({ type: ReportUsageEventsResultView, description: 'Every event accounted for: accepted, duplicate or rejected (and dead-lettered)' })
  @ApiBadRequestResponse({ description: 'VALIDATION_FAILED: events is not an array of 1 to 1000 (nothing stored)' })
  report(@Body() body: ReportUsageEventsDto): Promise<ReportUsageEventsResultView> {
    return this.reportUsageEvents.execute(body);
  }

  @Get('usage-events/rejected')
  @ApiOkResponse({ type: [DeadLetterView], description: 'Dead letters of usage events (R6.3), from REST and NATS, newest first' })
  @ApiBadRequestResponse({ description: 'VALIDATION_FAILED: bad limit' })
  async rejected(@Query() query: RejectedQueryDto): Promise<DeadLetterView[]> {
    return (await this.listRejected.execute(query)).map(deadLetterView);
  }

  @Get('usage-events/rejected/:id')
  @ApiParam({ name: 'id', description: 'The dead letter id (as listed)', example: '42' })
  @ApiOkResponse({ type: DeadLetterView, description: 'One usage-event dead letter, with its replay state' })
  @ApiBadRequestResponse({ description: 'VALIDATION_FAILED: id is not a dead letter id' })
  @ApiNotFoundResponse({ description: 'DEAD_LETTER_NOT_FOUND' })
  async rejectedOne(@Param() { id }: DeadLetterIdParamsDto): Promise<DeadLetterView> {
    return deadLetterView(await this.getRejected.execute(id));
  }

  @Post('usage-events/rejected/:id/replay')
  @HttpCode(200)
  @ApiParam({ name: 'id', description: 'The dead letter id (as listed)', example: '42' })
  @ApiOkResponse({
    type: ReplayResultView,
    description:
      'The stored payload went through the same idempotent ingestion as POST /v1/usage-events (#9.3). Stored (accepted or parked) or already stored ' +
      '(duplicate): the dead letter is marked replayed (kept, never deleted). Replaying again is a duplicate. Refused again: its code, nothing written.',
  })
  @ApiBadRequestResponse({ description: 'VALIDATION_FAILED: id is not a dead letter id' })
  @ApiNotFoundResponse({ description: 'DEAD_LETTER_NOT_FOUND' })
  async replay(@Param() { id }: DeadLetterIdParamsDto): Promise<ReplayResultView> {
    const result = await this.replayRejected.execute(id);
    return { outcome: result.outcome, code: result.code, message: result.message, deadLetter: deadLetterView(result.deadLetter) };
  }

  @Get('usage')
  @ApiOkResponse({ type: DailyUsageView, description: 'Daily quantities of R4.1 in the UTC+8 calendar; every day of the month, zeros included' })
  @ApiBadRequestResponse({ description: 'VALIDATION_FAILED: missing subscriptionId or a period not written YYYY-MM' })
  @ApiNotFoundResponse({ description: 'SUBSCRIPTION_NOT_FOUND: metering has not learned this subscription yet (usage reported for it meanwhile is parked and counts once it does)' })
  usage(@Query() query: UsageQueryDto): Promise<DailyUsageView> {
    return this.getDailyUsage.execute(query);
  }
}
