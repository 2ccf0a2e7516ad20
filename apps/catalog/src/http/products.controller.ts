import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiConflictResponse, ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import {
  AddPriceVersionUseCase,
  CreateProductUseCase,
  GetProductUseCase,
  ListProductsUseCase,
  StoredPriceVersion,
  StoredProduct,
} from '@cec/catalog-application';
import { CreatePriceVersionDto, CreateProductDto, PriceVersionView, ProductCodeParamsDto, ProductView } from './product.dto';

function priceView(version: StoredPriceVersion): PriceVersionView {
  return {
    id: version.id,
    unitPrice: version.unitPrice.toString(),
    currency: version.currency,
    effectiveFrom: version.effectiveFrom,
    label: version.label,
    createdAt: version.createdAt.toISO() as string,
  };
}

function productView(product: StoredProduct): ProductView {
  return {
    code: product.code,
    name: product.name,
    unit: product.unit,
    features: [...product.features],
    billingModes: [...product.billingModes],
    createdAt: product.createdAt.toISO() as string,
    prices: product.prices.map(priceView),
  };
}

@ApiTags('products')
@ApiBearerAuth()
@ApiBadRequestResponse({ description: 'VALIDATION_FAILED: a body, query or path parameter broke its schema; the message names the field' })
@Controller('v1/products')
export class ProductsController {
  constructor(
    private readonly createProduct: CreateProductUseCase,
    private readonly getProduct: GetProductUseCase,
    private readonly listProducts: ListProductsUseCase,
    private readonly addPriceVersion: AddPriceVersionUseCase,
  ) {}

  @Post()
  @HttpCode(201)
  @ApiCreatedResponse({ type: ProductView })
  @ApiConflictResponse({ description: 'PRODUCT_CODE_EXISTS' })
  async create(@Body() body: CreateProductDto): Promise<ProductView> {
    return productView(await this.createProduct.execute(body));
  }

  @Get()
  @ApiOkResponse({ type: [ProductView] })
  async list(): Promise<ProductView[]> {
    return (await this.listProducts.execute()).map(productView);
  }

  @Get(':code')
  @ApiOkResponse({ type: ProductView })
  @ApiNotFoundResponse({ description: 'PRODUCT_NOT_FOUND' })
  async get(@Param() params: ProductCodeParamsDto): Promise<ProductView> {
    return productView(await this.getProduct.execute(params.code));
  }

  @Post(':code/prices')
  @HttpCode(201)
  @ApiCreatedResponse({ type: PriceVersionView })
  @ApiNotFoundResponse({ description: 'PRODUCT_NOT_FOUND' })
  @ApiConflictResponse({ description: 'PRICE_VERSION_EXISTS: a version with that effectiveFrom exists (versions are append-only)' })
  async addPrice(@Param() params: ProductCodeParamsDto, @Body() body: CreatePriceVersionDto): Promise<PriceVersionView> {
    return priceView(await this.addPriceVersion.execute(params.code, body));
  }
}
