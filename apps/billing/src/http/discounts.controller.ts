import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiConflictResponse, ApiCreatedResponse, ApiNotFoundResponse, ApiTags } from '@nestjs/swagger';
import { CreateDiscountUseCase } from '@cec/billing-application';
import { CreateDiscountDto } from './billing.dto';
import { DiscountView, discountView } from './views';

@ApiTags('discounts')
@ApiBearerAuth()
@ApiBadRequestResponse({ description: 'VALIDATION_FAILED: a body, query or path parameter broke its schema; the message names the field' })
@Controller('v1/discounts')
export class DiscountsController {
  constructor(private readonly createDiscount: CreateDiscountUseCase) {}

  @Post()
  @HttpCode(201)
  @ApiCreatedResponse({ type: DiscountView, description: 'R5.1: account-wide or for one product' })
  @ApiNotFoundResponse({ description: 'ACCOUNT_NOT_FOUND, PRODUCT_NOT_FOUND' })
  @ApiConflictResponse({ description: 'DISCOUNT_OVERLAP: a discount of the same scope covers part of the range (R5.2)' })
  async create(@Body() body: CreateDiscountDto): Promise<DiscountView> {
    return discountView(await this.createDiscount.execute(body));
  }
}
