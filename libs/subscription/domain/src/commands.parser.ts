import { DateTime } from 'luxon';
import { billingCalendar, DomainError } from '@cec/kernel';
import type { BillingMode } from '@cec/contracts';
import { parseAccountName } from './account';
import { parseBillingMode, parseClientId, parseProductCode, parseQuantity } from './subscription.rules';

/**
 * Parsers for the REST bodies of the subscription app (docs/contract.md, Subscription). Each returns
 * a typed command or throws `DomainError` (400) with a sentence naming the field (R8.1).
 */

export interface CreateAccountCommand {
  readonly id?: string;
  readonly name: string;
}

export interface CreateSubscriptionCommand {
  readonly id?: string;
  readonly accountId: string;
  readonly productCode: string;
  readonly quantity: number;
  readonly billingMode: BillingMode;
  readonly enabledAt: DateTime;
}

export interface ChangeSubscriptionCommand {
  readonly effectiveAt: DateTime;
  readonly quantity?: number;
  readonly productCode?: string;
}

export interface CancelSubscriptionCommand {
  readonly effectiveAt: DateTime;
}

export interface BillingModeChangeCommand {
  readonly billingMode: BillingMode;
  readonly requestedAt: DateTime;
}

type Body = Record<string, unknown>;

function asBody(body: unknown): Body {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw DomainError.validation('the request body must be a JSON object');
  }
  return body as Body;
}

/** `POST /v1/accounts` `{name, id?}` */
export function parseCreateAccountCommand(body: unknown): CreateAccountCommand {
  const input = asBody(body);
  const name = parseAccountName(input['name']);
  return input['id'] === undefined ? { name } : { id: parseClientId(input['id'], 'id'), name };
}

/** `POST /v1/subscriptions` `{accountId, productCode, quantity, billingMode, enabledAt, id?}` */
export function parseCreateSubscriptionCommand(body: unknown): CreateSubscriptionCommand {
  const input = asBody(body);
  const command = {
    accountId: parseClientId(input['accountId'], 'accountId'),
    productCode: parseProductCode(input['productCode']),
    quantity: parseQuantity(input['quantity']),
    billingMode: parseBillingMode(input['billingMode']),
    enabledAt: billingCalendar.parseInstant(input['enabledAt'], 'enabledAt'),
  };
  return input['id'] === undefined ? command : { id: parseClientId(input['id'], 'id'), ...command };
}

/** `POST /v1/subscriptions/:id/changes` `{effectiveAt, quantity?, productCode?}` */
export function parseChangeCommand(body: unknown): ChangeSubscriptionCommand {
  const input = asBody(body);
  const effectiveAt = billingCalendar.parseInstant(input['effectiveAt'], 'effectiveAt');
  if (input['quantity'] === undefined && input['productCode'] === undefined) {
    throw DomainError.validation('a change must give quantity and/or productCode');
  }
  return {
    effectiveAt,
    ...(input['quantity'] === undefined ? {} : { quantity: parseQuantity(input['quantity']) }),
    ...(input['productCode'] === undefined ? {} : { productCode: parseProductCode(input['productCode']) }),
  };
}

/** `POST /v1/subscriptions/:id/cancel` `{effectiveAt}` */
export function parseCancelCommand(body: unknown): CancelSubscriptionCommand {
  const input = asBody(body);
  return { effectiveAt: billingCalendar.parseInstant(input['effectiveAt'], 'effectiveAt') };
}

/**
 * `POST /v1/subscriptions/:id/billing-mode` `{billingMode, requestedAt}` (R3.3). A mode the
 * platform does not support is refused here already with `UNSUPPORTED_BILLING_MODE` (R3.1).
 */
export function parseBillingModeChangeCommand(body: unknown): BillingModeChangeCommand {
  const input = asBody(body);
  const billingMode = parseBillingMode(input['billingMode']);
  return { billingMode, requestedAt: billingCalendar.parseInstant(input['requestedAt'], 'requestedAt') };
}
