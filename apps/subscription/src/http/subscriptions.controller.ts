import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
    ApiResponse,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { billingCalendar } from '@cec/kernel';
import { parseBillingModeChangeCommand, parseCancelCommand, parseChangeCommand, parseCreateSubscriptionCommand } from '@cec/subscription-domain';
import {
  CancelSubscriptionUseCase,
  ChangeSubscriptionUseCase,
  CreateSubscriptionUseCase,
  GetQuantityAtUseCase,
  GetSubscriptionUseCase,
  RequestBillingModeChangeUseCase,
} from '@cec/subscription-application';
import {
  BillingModeChangeDto,
  CancelSubscriptionDto,
  ChangeSubscriptionDto,
  CreateSubscriptionDto,
  ErrorView,
  IdParamsDto,
  QuantityAtQueryDto,
  QuantityAtView,
  SubscriptionDetailView,
} from './subscription.dto';
import { changeView, subscriptionDetailView } from './subscription.views';

@ApiTags('subscriptions')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ type: ErrorView, description: 'UNAUTHORIZED: missing or unknown bearer token' })
@Controller('v1/subscriptions')
export class SubscriptionsController {
  constructor(
    private readonly createSubscription: CreateSubscriptionUseCase,
    private readonly getSubscription: GetSubscriptionUseCase,
    private readonly changeSubscription: ChangeSubscriptionUseCase,
    private readonly cancelSubscription: CancelSubscriptionUseCase,
    private readonly requestBillingModeChange: RequestBillingModeChangeUseCase,
    private readonly getQuantityAt: GetQuantityAtUseCase,
  ) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Enable a subscription at an instant (R3.1, R3.2)' })
  @ApiCreatedResponse({ type: SubscriptionDetailView, description: 'Enabled; published as subscription.changed (kind enabled)' })
  @ApiBadRequestResponse({ type: ErrorView, description: 'VALIDATION_FAILED naming the field; UNSUPPORTED_BILLING_MODE (R3.1)' })
  @ApiNotFoundResponse({ type: ErrorView, description: 'ACCOUNT_NOT_FOUND or PRODUCT_NOT_FOUND' })
  @ApiConflictResponse({ type: ErrorView, description: 'SUBSCRIPTION_EXISTS: a subscription with that id exists' })
  @ApiServiceUnavailableResponse({ type: ErrorView, description: 'CATALOG_UNAVAILABLE: the catalog did not answer; nothing was stored' })
  async create(@Body() body: CreateSubscriptionDto): Promise<SubscriptionDetailView> {
    return subscriptionDetailView(await this.createSubscription.execute(parseCreateSubscriptionCommand(body)));
  }

  @Get(':id')
  @ApiOkResponse({ type: SubscriptionDetailView, description: 'The subscription with its change history (`changes`, oldest first)' })
  @ApiNotFoundResponse({ type: ErrorView, description: 'SUBSCRIPTION_NOT_FOUND' })
  async get(@Param() { id }: IdParamsDto): Promise<SubscriptionDetailView> {
    return subscriptionDetailView(await this.getSubscription.execute(id));
  }

  @Get(':id/quantity')
  @ApiOperation({ summary: 'The quantity in force at an instant: 0 before enabling and after cancelling (R3.2)' })
  @ApiOkResponse({ type: QuantityAtView })
  @ApiBadRequestResponse({ type: ErrorView, description: 'VALIDATION_FAILED: at' })
  @ApiNotFoundResponse({ type: ErrorView, description: 'SUBSCRIPTION_NOT_FOUND' })
  async quantityAt(@Param() { id }: IdParamsDto, @Query() { at }: QuantityAtQueryDto): Promise<QuantityAtView> {
    const result = await this.getQuantityAt.execute(id, billingCalendar.parseInstant(at, 'at'));
    return {
      subscriptionId: result.subscription.id,
      at: billingCalendar.formatInstant(result.at),
      quantity: result.quantity,
      inForce: result.inForce ? changeView(result.inForce) : null,
    };
  }

  @Post(':id/changes')
  @HttpCode(201)
  @ApiOperation({ summary: 'A quantity (R3.2) and/or edition (R3.5) change at an instant' })
  @ApiCreatedResponse({ type: SubscriptionDetailView, description: 'The new state; published as subscription.changed' })
  @ApiBadRequestResponse({ type: ErrorView, description: 'VALIDATION_FAILED naming the field (e.g. before enabling, another unit); UNSUPPORTED_BILLING_MODE' })
  @ApiNotFoundResponse({ type: ErrorView, description: 'SUBSCRIPTION_NOT_FOUND or PRODUCT_NOT_FOUND' })
  @ApiConflictResponse({ type: ErrorView, description: 'SUBSCRIPTION_NOT_ACTIVE (cancelled), CHANGE_BEFORE_LAST_CHANGE, CONCURRENT_MODIFICATION' })
  @ApiServiceUnavailableResponse({ type: ErrorView, description: 'CATALOG_UNAVAILABLE (edition change only)' })
  async change(@Param() { id }: IdParamsDto, @Body() body: ChangeSubscriptionDto): Promise<SubscriptionDetailView> {
    return subscriptionDetailView(await this.changeSubscription.execute(id, parseChangeCommand(body)));
  }

  @Post(':id/cancel')
  @HttpCode(201)
  @ApiOperation({ summary: 'Cancel at an instant: from then on the quantity is 0 (R3.2)' })
  @ApiCreatedResponse({ type: SubscriptionDetailView, description: 'The cancelled subscription; published as subscription.changed (kind cancelled)' })
  @ApiBadRequestResponse({ type: ErrorView, description: 'VALIDATION_FAILED: effectiveAt' })
  @ApiNotFoundResponse({ type: ErrorView, description: 'SUBSCRIPTION_NOT_FOUND' })
  @ApiConflictResponse({ type: ErrorView, description: 'SUBSCRIPTION_NOT_ACTIVE (already cancelled), CHANGE_BEFORE_LAST_CHANGE, CONCURRENT_MODIFICATION' })
  async cancel(@Param() { id }: IdParamsDto, @Body() body: CancelSubscriptionDto): Promise<SubscriptionDetailView> {
    return subscriptionDetailView(await this.cancelSubscription.execute(id, parseCancelCommand(body)));
  }

  @Post(':id/billing-mode')
  @ApiOperation({
    summary: 'Request a billing-mode change (R3.3)',
    description:
      'The mode never changes inside a billing period: a change takes effect at 00:00 UTC+8 of the next month, or is refused where the product allows no other mode. ' +
      'The mode in force: 200, nothing changes. Only pay_per_use exists (R3.1): any other mode is 400 UNSUPPORTED_BILLING_MODE.',
  })
  @ApiOkResponse({ type: SubscriptionDetailView, description: 'The mode in force was requested: a no-op' })
  @ApiResponse({ status: 202, type: SubscriptionDetailView, description: 'Accepted: the change waits for the next period (pendingBillingModeChange)' })
  @ApiBadRequestResponse({ type: ErrorView, description: 'UNSUPPORTED_BILLING_MODE; VALIDATION_FAILED naming the field' })
  @ApiNotFoundResponse({ type: ErrorView, description: 'SUBSCRIPTION_NOT_FOUND' })
  @ApiConflictResponse({ type: ErrorView, description: 'SUBSCRIPTION_NOT_ACTIVE, CHANGE_BEFORE_LAST_CHANGE, CONCURRENT_MODIFICATION' })
  async billingMode(@Param() { id }: IdParamsDto, @Body() body: BillingModeChangeDto, @Res({ passthrough: true }) response: Response): Promise<SubscriptionDetailView> {
    const result = await this.requestBillingModeChange.execute(id, parseBillingModeChangeCommand(body));
    response.status(result.scheduled ? 202 : 200);
    return subscriptionDetailView(result.subscription);
  }
}
