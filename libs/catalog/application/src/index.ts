export * from './catalog.ports';
export * from './create-product.use-case';
export * from './get-product.use-case';
export * from './list-products.use-case';
export * from './add-price-version.use-case';
export * from './look-up-product.use-case';
export * from './resolve-prices.use-case';
export * from './seed-sample-catalog.use-case';
