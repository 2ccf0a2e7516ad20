import { DomainError, isValidClientId, newId, PRODUCT_CODE_PATTERN } from '@cec/kernel';
import { createDiscount } from '@cec/billing-domain';
import type { BillingDeps, StoredDiscount } from './billing.ports';
import { accountNotFound } from './account-not-found';

export interface CreateDiscountCommand {
  accountId: unknown;
  productCode?: unknown;
  rate: unknown;
  effectiveFrom: unknown;
  effectiveTo?: unknown;
}

/**
 * POST /v1/discounts (R5.1, R5.2): account-wide (no productCode) or for one product; rate in [0, 1)
 * with at most 4 decimals; a date range. Overlaps of one scope are refused (409), by the domain and
 * by the database's EXCLUDE constraint.
 */
export class CreateDiscountUseCase {
  constructor(private readonly deps: BillingDeps) {}

  async execute(command: CreateDiscountCommand): Promise<StoredDiscount> {
    if (!isValidClientId(command.accountId)) throw DomainError.validation('accountId must be the id of a known account');
    let productCode: string | null = null;
    if (command.productCode !== undefined && command.productCode !== null) {
      if (typeof command.productCode !== 'string' || !PRODUCT_CODE_PATTERN.test(command.productCode)) {
        throw DomainError.validation('productCode must be a product code (lowercase letters, digits, dashes), or absent for all products');
      }
      productCode = command.productCode;
    }
    const discount = createDiscount({
      id: newId('disc'),
      accountId: command.accountId,
      productCode,
      rate: command.rate,
      effectiveFrom: command.effectiveFrom,
      effectiveTo: command.effectiveTo,
    });
    const existing = await this.deps.discounts.listForAccount(discount.accountId);
    if (existing === null) throw accountNotFound(discount.accountId);
    if (productCode !== null && !(await this.deps.catalog.productExists(productCode))) {
      throw DomainError.notFound('PRODUCT_NOT_FOUND', `productCode "${productCode}" is not a product of the catalog`);
    }
    return this.deps.discounts.insert(discount, this.deps.clock.now());
  }
}
