import { Provider, Type } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import {
  BILL_DOCUMENT_QUERIES,
  BILL_INPUT_STORE,
  BILLING_DEPS,
  BillDocumentQueries,
  BillingDeps,
  BillInputStore,
  GetBillDocumentUseCase,
} from '@cec/billing-application';
import { SqlBillDocumentQueries } from '@cec/billing-persistence';
import { BillDocumentController } from './http/bill-document.controller';

/** Issue 12: bill documents (HTML and PDF), wired by the app module. */
export const DOCUMENT_CONTROLLERS: Type<unknown>[] = [BillDocumentController];

export const DOCUMENT_PROVIDERS: Provider[] = [
  {
    provide: BILL_DOCUMENT_QUERIES,
    inject: [EntityManager],
    useFactory: (em: EntityManager): BillDocumentQueries => new SqlBillDocumentQueries(em),
  },
  {
    provide: GetBillDocumentUseCase,
    inject: [BILLING_DEPS, BILL_DOCUMENT_QUERIES, BILL_INPUT_STORE],
    useFactory: (deps: BillingDeps, queries: BillDocumentQueries, inputs: BillInputStore) =>
      new GetBillDocumentUseCase(deps, queries, inputs),
  },
];
