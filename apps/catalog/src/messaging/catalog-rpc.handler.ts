import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { GetProductReply, GetProductRequest, PATTERNS, ResolvePricesReply, ResolvePricesRequest } from '@cec/contracts';
import { LookUpProductUseCase, ResolvePricesUseCase } from '@cec/catalog-application';

/** Request/reply for the other apps (core NATS, queue group `catalog`). */
@Controller()
export class CatalogRpcHandler {
  constructor(
    private readonly lookUpProduct: LookUpProductUseCase,
    private readonly resolvePrices: ResolvePricesUseCase,
  ) {}

  @MessagePattern(PATTERNS.catalogGetProduct)
  getProduct(@Payload() request: GetProductRequest): Promise<GetProductReply> {
    return this.lookUpProduct.execute(request?.code);
  }

  @MessagePattern(PATTERNS.catalogResolvePrices)
  resolve(@Payload() request: ResolvePricesRequest): Promise<ResolvePricesReply> {
    return this.resolvePrices.execute(request ?? { productCodes: undefined, from: undefined, to: undefined });
  }
}
