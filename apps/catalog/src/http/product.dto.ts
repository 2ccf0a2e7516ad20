import { ApiProperty } from '@nestjs/swagger';
import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';
import { dateSchema, moneySchema, nonEmptyTextSchema, productCodeSchema, textSchema } from '@cec/kernel';

// One zod schema per input (validation, type and OpenAPI from one source); the domain keeps its
// invariants (a negative price, an unsupported billing mode: UNSUPPORTED_BILLING_MODE, R3.1).

export const CreateProductSchema = z.strictObject({
  code: productCodeSchema().meta({ description: 'Stable code: lowercase letters, digits, dashes' }),
  name: nonEmptyTextSchema({ requirement: 'must be a non-empty string of at most 200 characters' }).meta({ example: 'Basic CEC' }),
  unit: z.enum(['agent', 'channel'], { error: 'must be "agent" or "channel"' }),
  features: z
    .array(nonEmptyTextSchema({ requirement: 'must be a non-empty string of at most 200 characters' }), { error: 'must be an array of at most 100 strings' })
    .max(100, { error: 'must be an array of at most 100 strings' })
    .meta({ example: ['voice inbound call', 'softphone'] }),
  billingModes: z
    .array(textSchema({ max: 64 }), { error: 'must be a non-empty array, such as ["pay_per_use"]' })
    .min(1, { error: 'must be a non-empty array, such as ["pay_per_use"]' })
    .max(10, { error: 'must hold at most 10 billing modes' })
    .meta({ example: ['pay_per_use'], description: 'Only pay_per_use is supported (R3.1)' }),
});
export class CreateProductDto extends createZodDto(CreateProductSchema) {}

export const CreatePriceVersionSchema = z.strictObject({
  unitPrice: moneySchema().meta({ example: '50.00', description: 'Unit price per unit per month, decimal string, 2 decimals at most, not negative' }),
  currency: z.literal('USD', { error: 'must be "USD"' }),
  effectiveFrom: dateSchema().meta({ example: '2026-01-01', description: 'First calendar day (UTC+8) the price is in force, 1970-01-01 to 9999-12-31' }),
  label: textSchema().nullable().optional().meta({ example: 'list price 2026' }),
});
export class CreatePriceVersionDto extends createZodDto(CreatePriceVersionSchema) {}

export const ProductCodeParamsSchema = z.strictObject({ code: productCodeSchema() });
export class ProductCodeParamsDto extends createZodDto(ProductCodeParamsSchema) {}

export class PriceVersionView {
  @ApiProperty() id!: string;
  @ApiProperty({ example: '50.00' }) unitPrice!: string;
  @ApiProperty({ example: 'USD' }) currency!: string;
  @ApiProperty({ example: '2026-01-01' }) effectiveFrom!: string;
  @ApiProperty({ nullable: true, type: String }) label!: string | null;
  @ApiProperty() createdAt!: string;
}

export class ProductView {
  @ApiProperty() code!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: ['agent', 'channel'] }) unit!: string;
  @ApiProperty({ type: [String] }) features!: string[];
  @ApiProperty({ type: [String] }) billingModes!: string[];
  @ApiProperty() createdAt!: string;
  @ApiProperty({ type: [PriceVersionView] }) prices!: PriceVersionView[];
}
