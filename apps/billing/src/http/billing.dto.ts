import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Allow } from 'class-validator';

// DTOs document and whitelist the bodies (unknown fields are refused); the use cases validate the
// values and name the field at fault (R8.1).

export class CreateDiscountDto {
  @Allow() @ApiProperty({ example: 'acc_1' })
  accountId!: unknown;

  @Allow() @ApiPropertyOptional({ example: 'basic-cec', description: 'absent: a discount on all the account\'s products (R5.1)' })
  productCode?: unknown;

  @Allow() @ApiProperty({ example: '0.15', description: 'decimal string in [0, 1), at most 4 decimals' })
  rate!: unknown;

  @Allow() @ApiProperty({ example: '2026-04-01', description: 'first day (UTC+8) the discount applies' })
  effectiveFrom!: unknown;

  @Allow() @ApiPropertyOptional({ example: '2026-07-01', description: 'first day it no longer applies; absent: open-ended' })
  effectiveTo?: unknown;
}

export class TopUpDto {
  @Allow() @ApiProperty({ example: '100.00', description: 'decimal string with at most 2 decimals, > 0' })
  amount!: unknown;

  @Allow() @ApiProperty({ example: 't-1', description: 'unique per account: the same reference again changes nothing (R7.5)' })
  reference!: unknown;
}

export class StartBillingRunDto {
  @Allow() @ApiProperty({ example: '2026-04', description: 'an ended month, YYYY-MM (UTC+8)' })
  period!: unknown;
}
