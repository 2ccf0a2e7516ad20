import { ApiProperty } from '@nestjs/swagger';
import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';
import {
  checkedBy,
  clientIdSchema,
  instantSchema,
  MAX_TEXT_LENGTH,
  nonEmptyTextSchema,
  productCodeSchema,
  quantitySchema,
  queryIntegerSchema,
  queryParam,
  requiredQueryParam,
  textSchema,
} from '@cec/kernel';
import { DEFAULT_ACCOUNT_PAGE, MAX_ACCOUNT_PAGE } from '@cec/subscription-application';
import { parseBillingMode, SUPPORTED_BILLING_MODES } from '@cec/subscription-domain';

// One zod schema per input: validation, TypeScript type and OpenAPI from one source; an unknown
// field is a 400 naming it. The domain parsers then build the commands and keep the invariants
// (R3.1 UNSUPPORTED_BILLING_MODE comes from the domain's rule, through checkedBy).

/** R3.1: a billing mode: a string, and one the platform supports (else UNSUPPORTED_BILLING_MODE). */
const billingModeSchema = () =>
  z
    .string({ error: `must be one of: ${SUPPORTED_BILLING_MODES.join(', ')}` })
    .max(64, { error: `must be one of: ${SUPPORTED_BILLING_MODES.join(', ')}` })
    .check(checkedBy((value) => parseBillingMode(value, 'billingMode')))
    .meta({ example: 'pay_per_use', enum: [...SUPPORTED_BILLING_MODES] });

export const CreateAccountSchema = z.strictObject({
  name: nonEmptyTextSchema().meta({ example: 'Acme Contact Center', description: `Non-empty, at most ${MAX_TEXT_LENGTH} characters (trimmed)` }),
  id: clientIdSchema()
    .optional()
    .meta({ example: 'acme', description: 'Client-chosen id: 1-128 letters, digits, ".", "_", ":" or "-"; the server chooses acc_… when absent' }),
});
export class CreateAccountDto extends createZodDto(CreateAccountSchema) {}

export const CreateSubscriptionSchema = z.strictObject({
  accountId: clientIdSchema().meta({ example: 'acme', description: 'An existing account (404 ACCOUNT_NOT_FOUND otherwise)' }),
  productCode: productCodeSchema().meta({ description: 'A catalog product (404 PRODUCT_NOT_FOUND otherwise)' }),
  quantity: quantitySchema().meta({ description: 'Agents or channels: a whole number from 0 to 1000000 (R3.2, #8.5)' }),
  billingMode: billingModeSchema().meta({ description: 'Only pay_per_use is supported; any other mode is 400 UNSUPPORTED_BILLING_MODE (R3.1)' }),
  enabledAt: instantSchema().meta({ description: 'ISO-8601 instant with an offset (within ±14:00); kept to the second (R2.2)' }),
  id: clientIdSchema()
    .optional()
    .meta({ example: 'sub-acme-1', description: 'Client-chosen id; the server chooses sub_… when absent. 409 SUBSCRIPTION_EXISTS if taken' }),
});
export class CreateSubscriptionDto extends createZodDto(CreateSubscriptionSchema) {}

export const ChangeSubscriptionSchema = z.strictObject({
  effectiveAt: instantSchema().meta({
    example: '2026-04-20T10:00:00+08:00',
    description: 'The instant the change takes effect: not before enabling (400) nor before the last change (409)',
  }),
  quantity: quantitySchema().optional().meta({ example: 12, description: 'The new quantity, a whole number from 0 to 1000000 (R3.2)' }),
  productCode: productCodeSchema()
    .optional()
    .meta({ example: 'professional-cec', description: 'Another edition billed in the same unit (R3.5); give quantity and/or productCode' }),
});
export class ChangeSubscriptionDto extends createZodDto(ChangeSubscriptionSchema) {}

export const CancelSubscriptionSchema = z.strictObject({
  effectiveAt: instantSchema().meta({ example: '2026-04-30T18:00:00+08:00', description: 'From this instant on the quantity is 0 (R3.2)' }),
});
export class CancelSubscriptionDto extends createZodDto(CancelSubscriptionSchema) {}

export const BillingModeChangeSchema = z.strictObject({
  billingMode: billingModeSchema().meta({
    description: 'The requested mode. The mode in force: 200, a no-op. Any other: 400 UNSUPPORTED_BILLING_MODE (only pay_per_use exists, R3.1)',
  }),
  requestedAt: instantSchema().meta({
    example: '2026-04-20T10:00:00+08:00',
    description: 'When the change is requested; a change would take effect at 00:00 UTC+8 of the next month (R3.3)',
  }),
});
export class BillingModeChangeDto extends createZodDto(BillingModeChangeSchema) {}

export const IdParamsSchema = z.strictObject({ id: clientIdSchema() });
export class IdParamsDto extends createZodDto(IdParamsSchema) {}

export const QuantityAtQuerySchema = z.strictObject({
  at: requiredQueryParam(instantSchema(), 'must be an ISO-8601 instant with an offset, such as 2026-04-16T09:30:00+08:00'),
});
export class QuantityAtQueryDto extends createZodDto(QuantityAtQuerySchema) {}

/** GET /v1/accounts (issue 12, the console's search): each parameter once, as a plain value. */
export const AccountSearchQuerySchema = z.strictObject({
  search: queryParam(textSchema()).meta({
    example: 'acme',
    description:
      `A prefix of the account id or name, case-insensitive (at most ${MAX_TEXT_LENGTH} characters); ` +
      'absent: every account',
  }),
  limit: queryParam(queryIntegerSchema(1, MAX_ACCOUNT_PAGE)).meta({
    example: '50',
    description: `Accounts per page: 1 to ${MAX_ACCOUNT_PAGE}, default ${DEFAULT_ACCOUNT_PAGE}`,
  }),
  after: queryParam(clientIdSchema('must be an account id (the last id of the previous page)')).meta({
    example: 'acme',
    description:
      'The next page: accounts whose id sorts after this one (byte order); give the last id of the previous page',
  }),
});
export class AccountSearchQueryDto extends createZodDto(AccountSearchQuerySchema) {}

export class AccountView {
  @ApiProperty({ example: 'acme' }) id!: string;
  @ApiProperty({ example: 'Acme Contact Center' }) name!: string;
  @ApiProperty({ example: 'USD', enum: ['USD'] }) currency!: string;
  @ApiProperty({ example: '2026-04-16T09:30:00+08:00', description: 'ISO-8601 in the billing zone (UTC+8), to the second' }) createdAt!: string;
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
