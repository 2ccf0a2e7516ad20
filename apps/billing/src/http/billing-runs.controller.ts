import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBadRequestResponse, ApiBearerAuth, ApiConflictResponse, ApiNotFoundResponse, ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import {
  CancelBillingRunUseCase,
  GetBillingRunUseCase,
  ListBillingRunFailuresUseCase,
  ListBillingRunsUseCase,
  RetryBillingRunFailuresUseCase,
  StartBillingRunUseCase,
} from '@cec/billing-application';
import { IdParamsDto, ListBillingRunsQueryDto, StartBillingRunDto } from './billing.dto';
import { BillingRunFailureView, BillingRunView, runFailureView, runView } from './views';

@ApiTags('billing runs')
@ApiBearerAuth()
@ApiBadRequestResponse({ description: 'VALIDATION_FAILED: a body, query or path parameter broke its schema; the message names the field' })
@Controller('v1/billing-runs')
export class BillingRunsController {
  constructor(
    private readonly startRun: StartBillingRunUseCase,
    private readonly getRun: GetBillingRunUseCase,
    private readonly listRuns: ListBillingRunsUseCase,
    private readonly cancelRun: CancelBillingRunUseCase,
    private readonly retryFailures: RetryBillingRunFailuresUseCase,
    private readonly listFailures: ListBillingRunFailuresUseCase,
  ) {}

  @Post()
  @HttpCode(202)
  @ApiAcceptedResponse({
    type: BillingRunView,
    description: 'R7.2: starts or repeats the run of an ended month; bills only accounts not yet billed. While a run of the month is running, that run is returned.',
  })
  @ApiConflictResponse({ description: 'PERIOD_NOT_ENDED' })
  @ApiServiceUnavailableResponse({
    description: "ACCOUNTS_NOT_CAUGHT_UP (#9.4): billing's consumer of subscription.account.created still has messages pending; nothing changed, try again shortly",
  })
  async start(@Body() body: StartBillingRunDto): Promise<BillingRunView> {
    return runView((await this.startRun.execute({ period: body.period, trigger: 'operator' })).run);
  }

  @Get()
  @ApiOkResponse({ type: [BillingRunView], description: 'newest first' })
  async list(@Query() { period }: ListBillingRunsQueryDto): Promise<BillingRunView[]> {
    return (await this.listRuns.execute(period)).map(runView);
  }

  @Get(':id')
  @ApiOkResponse({ type: BillingRunView })
  @ApiNotFoundResponse({ description: 'BILLING_RUN_NOT_FOUND' })
  async get(@Param() { id }: IdParamsDto): Promise<BillingRunView> {
    return runView(await this.getRun.execute(id));
  }

  @Get(':id/failures')
  @ApiOkResponse({ type: [BillingRunFailureView], description: 'the accounts the run could not bill (not retried since), and why' })
  @ApiNotFoundResponse({ description: 'BILLING_RUN_NOT_FOUND' })
  async failures(@Param() { id }: IdParamsDto): Promise<BillingRunFailureView[]> {
    return (await this.listFailures.execute(id)).map(runFailureView);
  }

  @Post(':id/retry-failures')
  @HttpCode(202)
  @ApiAcceptedResponse({
    type: BillingRunView,
    description: 'the run (completed_with_failures) runs again for its failed accounts only; each account is still billed at most once per period',
  })
  @ApiNotFoundResponse({ description: 'BILLING_RUN_NOT_FOUND' })
  @ApiConflictResponse({ description: 'BILLING_RUN_HAS_NO_FAILURES, or BILLING_RUN_IN_PROGRESS (another run of the period is running)' })
  async retry(@Param() { id }: IdParamsDto): Promise<BillingRunView> {
    return runView(await this.retryFailures.execute(id));
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @ApiOkResponse({
    type: BillingRunView,
    description: 'the run is cancelled: its jobs not yet processed never bill; accounts already billed stay billed; a new run of the month may start',
  })
  @ApiNotFoundResponse({ description: 'BILLING_RUN_NOT_FOUND' })
  @ApiConflictResponse({ description: 'BILLING_RUN_NOT_RUNNING (the run has already ended)' })
  async cancel(@Param() { id }: IdParamsDto): Promise<BillingRunView> {
    return runView(await this.cancelRun.execute(id));
  }
}
