import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';
import { BILL_DOCUMENT_FORMATS } from '@cec/billing-application';
import { clientIdSchema, dateSchema, moneySchema, periodSchema, productCodeSchema, queryIntegerSchema, queryParam, rateSchema } from '@cec/kernel';
import { MAX_DEAD_LETTER_LIMIT } from '@cec/billing-application';

// One zod schema per input (validation, TypeScript type and OpenAPI from one source); unknown
// fields are refused naming them. The use cases and the domain keep the invariants (an amount
// above 0.00, an effectiveTo after effectiveFrom, overlaps: R5.2) and name the field (R8.1).

export const CreateDiscountSchema = z.strictObject({
  accountId: clientIdSchema('must be the id of a known account').meta({ example: 'acc_1' }),
  productCode: productCodeSchema('must be a product code (lowercase letters, digits, dashes), or absent for all products')
    .nullable()
    .optional()
    .meta({ example: 'basic-cec', description: "absent: a discount on all the account's products (R5.1)" }),
  rate: rateSchema().meta({ description: 'decimal string in [0, 1), at most 4 decimals' }),
  effectiveFrom: dateSchema().meta({ example: '2026-04-01', description: 'first day (UTC+8) the discount applies' }),
  effectiveTo: dateSchema().nullable().optional().meta({ example: '2026-07-01', description: 'first day it no longer applies; absent: open-ended' }),
});
export class CreateDiscountDto extends createZodDto(CreateDiscountSchema) {}

export const TopUpSchema = z.strictObject({
  amount: moneySchema().meta({ description: 'decimal string with at most 2 decimals, > 0' }),
  reference: clientIdSchema('must be 1-128 characters: letters, digits, ".", "_", ":" or "-"').meta({
    example: 't-1',
    description: 'unique per account: the same reference again changes nothing (R7.5)',
  }),
});
export class TopUpDto extends createZodDto(TopUpSchema) {}

export const StartBillingRunSchema = z.strictObject({
  period: periodSchema().meta({ description: 'an ended month, YYYY-MM (UTC+8)' }),
});
export class StartBillingRunDto extends createZodDto(StartBillingRunSchema) {}

/** Path ids (accounts, bills, runs): the platform's id syntax, else 400 naming `id`. */
export const IdParamsSchema = z.strictObject({ id: clientIdSchema() });
export class IdParamsDto extends createZodDto(IdParamsSchema) {}

/** GET /v1/bills: each filter a single value (#8.4: `?accountId[a]=1` is a 400, not "no filter"). */
export const ListBillsQuerySchema = z.strictObject({
  accountId: queryParam(clientIdSchema('must be an account id')),
  period: queryParam(periodSchema()),
});
export class ListBillsQueryDto extends createZodDto(ListBillsQuerySchema) {}

/** GET /v1/billing-runs (#8.4: `?period[a]=1` is a 400). */
export const ListBillingRunsQuerySchema = z.strictObject({ period: queryParam(periodSchema()) });
export class ListBillingRunsQueryDto extends createZodDto(ListBillingRunsQuerySchema) {}

/** Issue 10: PUT /v1/accounts/:id/balance-threshold. */
export const BalanceThresholdSchema = z.strictObject({
  lowBalance: moneySchema('must be a decimal string >= 0 with at most 2 decimals, such as "100.00"')
    .refine((value) => !value.startsWith('-'), { error: 'must be a decimal string >= 0 with at most 2 decimals, such as "100.00"' })
    .meta({
      example: '100.00',
      description: 'projectedBalance below it publishes billing.account.balance_low once per crossing; "0.00": only exhaustion is announced',
    }),
});
export class BalanceThresholdDto extends createZodDto(BalanceThresholdSchema) {}

/** Issue 12: GET /v1/bills/:id/document: `?format=html|pdf` (#8.4: once, a plain value). */
export const BillDocumentQuerySchema = z.strictObject({
  format: queryParam(z.enum(BILL_DOCUMENT_FORMATS, { error: 'must be html or pdf' })).meta({
    description:
      'html or pdf; wins over the Accept header. Absent: by Accept (text/html or application/pdf), ' +
      'HTML when either is fine',
  }),
});
export class BillDocumentQueryDto extends createZodDto(BillDocumentQuerySchema) {}

/** GET /v1/dead-letters: `?limit=` once, a whole number from 1 to 1000 (default 100). */
export const DeadLettersQuerySchema = z.strictObject({
  limit: queryParam(queryIntegerSchema(1, MAX_DEAD_LETTER_LIMIT)).meta({
    example: '100',
    description: `How many, newest first: 1 to ${MAX_DEAD_LETTER_LIMIT}, default 100`,
  }),
});
export class DeadLettersQueryDto extends createZodDto(DeadLettersQuerySchema) {}
