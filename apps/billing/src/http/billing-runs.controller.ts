import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBadRequestResponse, ApiBearerAuth, ApiConflictResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { GetBillingRunUseCase, ListBillingRunsUseCase, StartBillingRunUseCase } from '@cec/billing-application';
import { IdParamsDto, ListBillingRunsQueryDto, StartBillingRunDto } from './billing.dto';
import { BillingRunView, runView } from './views';

@ApiTags('billing runs')
@ApiBearerAuth()
@ApiBadRequestResponse({ description: 'VALIDATION_FAILED: a body, query or path parameter broke its schema; the message names the field' })
@Controller('v1/billing-runs')
export class BillingRunsController {
  constructor(
    private readonly startRun: StartBillingRunUseCase,
    private readonly getRun: GetBillingRunUseCase,
    private readonly listRuns: ListBillingRunsUseCase,
  ) {}

  @Post()
  @HttpCode(202)
  @ApiAcceptedResponse({
    type: BillingRunView,
    description: 'R7.2: starts or repeats the run of an ended month; bills only accounts not yet billed. While a run of the month is running, that run is returned.',
  })
  @ApiConflictResponse({ description: 'PERIOD_NOT_ENDED' })
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
}
