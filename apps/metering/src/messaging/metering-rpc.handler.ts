import { Controller } from '@nestjs/common';
import { MessagePattern, Payload, RpcException } from '@nestjs/microservices';
import { MonthlyUsageReply, MonthlyUsageRequest, PATTERNS, UsageRevisionsReply, UsageRevisionsRequest } from '@cec/contracts';
import { isDomainError } from '@cec/kernel';
import { errorBodyOf, JetStreamService } from '@cec/platform';
import { GetMonthlyUsageUseCase, GetUsageRevisionsUseCase } from '@cec/metering-application';

/** Room for the transport's envelope around a reply (`{"response": …, "id": "…"}`). */
const ENVELOPE_BYTES = 1024;

/** Request/reply for billing (core NATS, queue group `metering`). */
@Controller()
export class MeteringRpcHandler {
  constructor(
    private readonly monthlyUsage: GetMonthlyUsageUseCase,
    private readonly usageRevisions: GetUsageRevisionsUseCase,
    private readonly jetStream: JetStreamService,
  ) {}

  @MessagePattern(PATTERNS.meteringMonthlyUsage)
  monthly(@Payload() request: MonthlyUsageRequest): Promise<MonthlyUsageReply> {
    return this.answer(() => this.monthlyUsage.execute(request, this.limitBytes()), `${request?.accountIds?.length ?? 0} accounts`);
  }

  @MessagePattern(PATTERNS.meteringUsageRevisions)
  revisions(@Payload() request: UsageRevisionsRequest): Promise<UsageRevisionsReply> {
    return this.answer(() => this.usageRevisions.execute(request), `${request?.accounts?.length ?? 0} accounts`);
  }

  /** Domain errors travel as `{code, message}` (the requester sees why), like the REST error body. */
  private async answer<T>(work: () => Promise<T>, asked: string): Promise<T> {
    try {
      return this.fitting(await work(), asked);
    } catch (error) {
      if (isDomainError(error)) throw new RpcException(errorBodyOf(error));
      throw error;
    }
  }

  /**
   * A reply larger than the server's max_payload cannot be sent (and the NATS transport would
   * fail outside any handler): answer with an error that says so, and how to ask instead.
   */
  private fitting<T>(reply: T, asked: string): T {
    const limit = this.limitBytes();
    const size = Buffer.byteLength(JSON.stringify(reply));
    if (size > limit) {
      throw new RpcException({
        statusCode: 413,
        code: 'REPLY_TOO_LARGE',
        message: `the reply for ${asked} is ${size} bytes, more than the ${limit} bytes a NATS message may carry here; ask for pages (maxBytes) or fewer accounts per request`,
      });
    }
    return reply;
  }

  /** The largest reply body the server lets this connection send. */
  private limitBytes(): number {
    return (this.jetStream.nc.info?.max_payload ?? 1024 * 1024) - ENVELOPE_BYTES;
  }
}
