import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBadRequestResponse, ApiBearerAuth, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { AllowNulInBody } from '@cec/platform';
import { DeadLetterRecord, GetDailyUsageUseCase, ListRejectedUsageEventsUseCase, ReportUsageEventsUseCase } from '@cec/metering-application';
import { DailyUsageView, DeadLetterView, RejectedQueryDto, ReportUsageEventsDto, ReportUsageEventsResultView, UsageQueryDto } from './usage.dto';

function deadLetterView(record: DeadLetterRecord): DeadLetterView {
  return {
    id: record.id,
    source: record.source,
    code: record.code,
    message: record.message,
    payload: record.payload,
    receivedAt: record.receivedAt.toISO() as string,
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

  @Get('usage')
  @ApiOkResponse({ type: DailyUsageView, description: 'Daily quantities of R4.1 in the UTC+8 calendar; every day of the month, zeros included' })
  @ApiBadRequestResponse({ description: 'VALIDATION_FAILED: missing subscriptionId or a period not written YYYY-MM' })
  @ApiNotFoundResponse({ description: 'SUBSCRIPTION_NOT_FOUND: metering has not learned this subscription' })
  usage(@Query() query: UsageQueryDto): Promise<DailyUsageView> {
    return this.getDailyUsage.execute(query);
  }
}
