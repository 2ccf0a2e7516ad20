import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Allow } from 'class-validator';

// DTOs document and whitelist the bodies; the domain validates them and names the field at fault.

export class CreateProductDto {
  @Allow() @ApiProperty({ example: 'basic-cec', description: 'Stable code: lowercase letters, digits, dashes' })
  code!: unknown;

  @Allow() @ApiProperty({ example: 'Basic CEC' })
  name!: unknown;

  @Allow() @ApiProperty({ enum: ['agent', 'channel'] })
  unit!: unknown;

  @Allow() @ApiProperty({ type: [String], example: ['voice inbound call', 'softphone'] })
  features!: unknown;

  @Allow() @ApiProperty({ type: [String], example: ['pay_per_use'], description: 'Only pay_per_use is supported (R3.1)' })
  billingModes!: unknown;
}

export class CreatePriceVersionDto {
  @Allow() @ApiProperty({ example: '50.00', description: 'Unit price per unit per month, decimal string, 2 decimals at most' })
  unitPrice!: unknown;

  @Allow() @ApiProperty({ example: 'USD', enum: ['USD'] })
  currency!: unknown;

  @Allow() @ApiProperty({ example: '2026-01-01', description: 'First calendar day (UTC+8) the price is in force' })
  effectiveFrom!: unknown;

  @Allow() @ApiPropertyOptional({ example: 'list price 2026' })
  label?: unknown;
}

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
