import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Allow } from 'class-validator';

// DTOs document and whitelist the bodies (an unknown field is a 400 naming it); the domain
// validates the values and names the field at fault (R8.1).

export class CreateAccountDto {
  @Allow() @ApiProperty({ example: 'Acme Contact Center', description: 'Non-empty, at most 200 characters (trimmed)' })
  name!: unknown;

  @Allow()
  @ApiPropertyOptional({ example: 'acme', description: 'Client-chosen id: 1-128 letters, digits, ".", "_", ":" or "-"; the server chooses acc_… when absent' })
  id?: unknown;
}

export class AccountView {
  @ApiProperty({ example: 'acme' }) id!: string;
  @ApiProperty({ example: 'Acme Contact Center' }) name!: string;
  @ApiProperty({ example: 'USD', enum: ['USD'] }) currency!: string;
  @ApiProperty({ example: '2026-04-16T09:30:00+08:00', description: 'ISO-8601 in the billing zone (UTC+8), to the second' }) createdAt!: string;
}

export class CreateSubscriptionDto {
  @Allow() @ApiProperty({ example: 'acme', description: 'An existing account (404 ACCOUNT_NOT_FOUND otherwise)' })
  accountId!: unknown;

  @Allow() @ApiProperty({ example: 'basic-cec', description: 'A catalog product (404 PRODUCT_NOT_FOUND otherwise)' })
  productCode!: unknown;

  @Allow() @ApiProperty({ example: 10, description: 'Agents or channels: a whole number >= 0 (R3.2)' })
  quantity!: unknown;

  @Allow()
  @ApiProperty({ example: 'pay_per_use', enum: ['pay_per_use'], description: 'Only pay_per_use is supported; any other mode is 400 UNSUPPORTED_BILLING_MODE (R3.1)' })
  billingMode!: unknown;

  @Allow() @ApiProperty({ example: '2026-04-16T09:30:00+08:00', description: 'ISO-8601 instant with an offset; kept to the second (R2.2)' })
  enabledAt!: unknown;

  @Allow() @ApiPropertyOptional({ example: 'sub-acme-1', description: 'Client-chosen id; the server chooses sub_… when absent. 409 SUBSCRIPTION_EXISTS if taken' })
  id?: unknown;
}

export class ChangeSubscriptionDto {
  @Allow() @ApiProperty({ example: '2026-04-20T10:00:00+08:00', description: 'The instant the change takes effect: not before enabling (400) nor before the last change (409)' })
  effectiveAt!: unknown;

  @Allow() @ApiPropertyOptional({ example: 12, description: 'The new quantity, a whole number >= 0 (R3.2)' })
  quantity?: unknown;

  @Allow()
  @ApiPropertyOptional({ example: 'professional-cec', description: 'Another edition billed in the same unit (R3.5); give quantity and/or productCode' })
  productCode?: unknown;
}

export class CancelSubscriptionDto {
  @Allow() @ApiProperty({ example: '2026-04-30T18:00:00+08:00', description: 'From this instant on the quantity is 0 (R3.2)' })
  effectiveAt!: unknown;
}

export class BillingModeChangeDto {
  @Allow()
  @ApiProperty({ example: 'pay_per_use', description: 'The requested mode. The mode in force: 200, a no-op. Any other: 400 UNSUPPORTED_BILLING_MODE (only pay_per_use exists, R3.1)' })
  billingMode!: unknown;

  @Allow() @ApiProperty({ example: '2026-04-20T10:00:00+08:00', description: 'When the change is requested; a change would take effect at 00:00 UTC+8 of the next month (R3.3)' })
  requestedAt!: unknown;
}

export class SubscriptionChangeView {
  @ApiProperty({ example: 2, description: 'Per-subscription sequence, from 1' }) sequence!: number;
  @ApiProperty({ enum: ['enabled', 'quantity_changed', 'edition_changed', 'changed', 'cancelled'] }) kind!: string;
  @ApiProperty({ example: '2026-04-20T10:00:00+08:00' }) effectiveAt!: string;
  @ApiProperty({ example: 'basic-cec' }) productCode!: string;
  @ApiProperty({ example: 12 }) quantity!: number;
  @ApiProperty({ example: 'pay_per_use' }) billingMode!: string;
  @ApiProperty({ enum: ['active', 'cancelled'] }) status!: string;
}

export class PendingBillingModeChangeView {
  @ApiProperty({ example: 'pay_per_use' }) billingMode!: string;
  @ApiProperty({ example: '2026-04-20T10:00:00+08:00' }) requestedAt!: string;
  @ApiProperty({ example: '2026-05-01T00:00:00+08:00', description: 'Start of the next billing period (R3.3)' }) effectiveAt!: string;
}

export class SubscriptionView {
  @ApiProperty({ example: 'sub-acme-1' }) id!: string;
  @ApiProperty({ example: 'acme' }) accountId!: string;
  @ApiProperty({ example: 'basic-cec' }) productCode!: string;
  @ApiProperty({ enum: ['agent', 'channel'] }) unit!: string;
  @ApiProperty({ example: 10, description: 'The quantity after the last change (0 once cancelled)' }) quantity!: number;
  @ApiProperty({ example: 'pay_per_use' }) billingMode!: string;
  @ApiProperty({ enum: ['active', 'cancelled'] }) status!: string;
  @ApiProperty({ example: '2026-04-16T09:30:00+08:00' }) enabledAt!: string;
  @ApiProperty({ nullable: true, type: String, example: null }) cancelledAt!: string | null;
  @ApiProperty({ example: 1, description: 'The sequence of the last change' }) version!: number;
  @ApiProperty({ nullable: true, type: PendingBillingModeChangeView }) pendingBillingModeChange!: PendingBillingModeChangeView | null;
}

export class SubscriptionDetailView extends SubscriptionView {
  @ApiProperty({ type: [SubscriptionChangeView], description: 'The whole history, oldest first' }) changes!: SubscriptionChangeView[];
}

export class QuantityAtView {
  @ApiProperty({ example: 'sub-acme-1' }) subscriptionId!: string;
  @ApiProperty({ example: '2026-04-16T09:29:59+08:00' }) at!: string;
  @ApiProperty({ example: 0, description: '0 before enabling and from the cancellation on (R3.2)' }) quantity!: number;
  @ApiProperty({ nullable: true, type: SubscriptionChangeView, description: 'The change in force at that instant; null before enabling' })
  inForce!: SubscriptionChangeView | null;
}

export class ErrorView {
  @ApiProperty({ example: 400 }) statusCode!: number;
  @ApiProperty({ example: 'VALIDATION_FAILED' }) code!: string;
  @ApiProperty({ example: 'quantity must be a whole number >= 0' }) message!: string;
}
