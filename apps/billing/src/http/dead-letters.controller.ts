import { Controller, Get, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiOkResponse, ApiProperty, ApiTags } from '@nestjs/swagger';
import { billingCalendar } from '@cec/kernel';
import { DeadLetterView as DeadLetter, ListDeadLettersUseCase } from '@cec/billing-application';
import { DeadLettersQueryDto } from './billing.dto';

export class DeadLetterView {
  @ApiProperty({ example: '1' }) id!: string;
  @ApiProperty({ example: 'subscription.account.created' }) subject!: string;
  @ApiProperty({ example: 'BILLING_EVENTS:42', description: 'the message in its stream (stream:sequence): kept once however often delivered' })
  messageKey!: string;
  @ApiProperty({ nullable: true, type: String, description: 'the Nats-Msg-Id header, when there was one' }) messageId!: string | null;
  @ApiProperty({ example: 'VALIDATION_FAILED', description: 'MALFORMED_MESSAGE (not JSON) or the validation code' }) code!: string;
  @ApiProperty({ example: 'accountId must be an id of 1-128 letters, digits, ".", "_", ":" or "-"' }) message!: string;
  @ApiProperty({ description: 'the message as received: its JSON, or its text when it was not JSON' }) payload!: unknown;
  @ApiProperty({ example: '2026-05-01T00:00:00+08:00' }) receivedAt!: string;
}

function deadLetterView(letter: DeadLetter): DeadLetterView {
  return {
    id: letter.id,
    subject: letter.subject,
    messageKey: letter.messageKey,
    messageId: letter.messageId,
    code: letter.code,
    message: letter.message,
    payload: letter.payload,
    receivedAt: billingCalendar.formatInstant(letter.receivedAt),
  };
}

@ApiTags('dead letters')
@ApiBearerAuth()
@Controller('v1/dead-letters')
export class DeadLettersController {
  constructor(private readonly list: ListDeadLettersUseCase) {}

  @Get()
  @ApiOkResponse({ type: [DeadLetterView], description: "#9.8: messages billing's consumers could not use (e.g. a malformed subscription.account.created), newest first" })
  @ApiBadRequestResponse({ description: 'VALIDATION_FAILED: bad limit (not a whole number from 1 to 1000, or given twice)' })
  async listDeadLetters(@Query() query: DeadLettersQueryDto): Promise<DeadLetterView[]> {
    return (await this.list.execute({ limit: query.limit })).map(deadLetterView);
  }
}
