import { Provider, Type } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { BILL_INPUT_STORE, BILLING_DEPS, BillingDeps, BillInputStore, GetBillExplanationUseCase, GetUpcomingBillUseCase } from '@cec/billing-application';
import { SqlBillInputStore } from '@cec/billing-persistence';
import { BillExplanationController } from './http/bill-explanation.controller';
import { UpcomingBillController } from './http/upcoming-bill.controller';

/** Issue 10: the upcoming bill and the bill explanation (wired by the app module). */
export const EXPLAIN_CONTROLLERS: Type<unknown>[] = [UpcomingBillController, BillExplanationController];

export const EXPLAIN_PROVIDERS: Provider[] = [
  { provide: BILL_INPUT_STORE, inject: [EntityManager], useFactory: (em: EntityManager): BillInputStore => new SqlBillInputStore(em) },
  { provide: GetUpcomingBillUseCase, inject: [BILLING_DEPS], useFactory: (deps: BillingDeps) => new GetUpcomingBillUseCase(deps) },
  {
    provide: GetBillExplanationUseCase,
    inject: [BILLING_DEPS, BILL_INPUT_STORE],
    useFactory: (deps: BillingDeps, inputs: BillInputStore) => new GetBillExplanationUseCase(deps, inputs),
  },
];
