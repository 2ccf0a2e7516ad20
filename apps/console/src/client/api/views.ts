// The shapes the console reads (a subset of what the apps answer; see each app's /docs-json).

export interface Account {
  id: string;
  name: string;
  currency: string;
  createdAt: string;
}

export interface Subscription {
  id: string;
  accountId: string;
  productCode: string;
  unit: string;
  quantity: number;
  billingMode: string;
  status: string;
  enabledAt: string;
  cancelledAt: string | null;
}

export interface Balance {
  accountId: string;
  currency: string;
  balance: string;
  outstanding: string;
  status: string;
  accruedThisPeriod: string;
  projectedBalance: string;
  lowBalanceThreshold: string | null;
  guardState: string;
}

export interface Discount {
  id: string;
  productCode: string | null;
  rate: string;
  effectiveFrom: string;
  effectiveTo: string | null;
}

export interface LedgerEntry {
  id: string;
  type: string;
  amount: string;
  balanceAfter: string;
  billId?: string;
  reference?: string;
  createdAt: string;
}

export interface BillLine {
  kind: string;
  subscriptionId: string;
  productCode: string;
  forPeriod: string;
  quantityDays: number;
  daysInPeriod: number;
  listAmount: string;
  discountAmount: string;
  amount: string;
}

export interface Bill {
  id: string;
  accountId: string;
  period: string;
  currency: string;
  total: string;
  paidAmount: string;
  outstandingAmount: string;
  status: string;
  issuedAt: string;
  runId: string | null;
  lines: BillLine[];
}

export interface UpcomingBill {
  accountId: string;
  period: string;
  currency: string;
  asOf: string;
  countedThrough: string;
  running: boolean;
  total: string;
  lines: BillLine[];
}

export interface ExplainedGroup {
  fromDate: string;
  toDate: string;
  dates: Array<{ from: string; to: string }>;
  days: number;
  quantity: number;
  productCode: string;
  unitPrice: string;
  discountRate: string;
  quantityDays: number;
  listSum: string;
  netSum: string;
}

export interface ExplainedLine {
  position: number;
  kind: string;
  productCode: string;
  forPeriod: string;
  daysInPeriod: number;
  groups: ExplainedGroup[];
  listExact: string;
  netExact: string;
  ratedListAmount: string;
  ratedAmount: string;
  billedBefore?: { quantityDays: number; listAmount: string; discountAmount: string; amount: string };
  amount: string;
  matches: boolean;
}

export interface BillExplanation {
  billId: string;
  total: string;
  lines: ExplainedLine[];
}

export interface BillingRun {
  id: string;
  period: string;
  status: string;
  trigger: string;
  attempt: number;
  accountsTotal: number;
  accountsProcessed: number;
  accountsBilled: number;
  billsIssued: number;
  total: string;
  accountsFailed: number;
  error: string | null;
  startedAt: string;
  finishedAt: string | null;
  accountsPlanned: number;
  accountsRemaining: number;
  accountsSkipped: number;
  ratePerSecond: number;
  windowSeconds: number;
  estimatedCompletionAt: string | null;
}

export interface RunFailure {
  accountId: string;
  code: string;
  message: string;
  attempts: number;
  failedAt: string;
}

export interface UsageDeadLetter {
  id: string;
  source: string;
  code: string;
  message: string;
  payload: unknown;
  receivedAt: string;
  replayedAt: string | null;
  replayOutcome: string | null;
}

export interface ReplayResult {
  outcome: string;
  code: string | null;
  message: string | null;
  deadLetter: UsageDeadLetter;
}

export interface BillingDeadLetter {
  id: string;
  subject: string;
  code: string;
  message: string;
  payload: unknown;
  receivedAt: string;
}

export interface TestClock {
  now: string;
  frozen: boolean;
  runsStarted: BillingRun[];
}

export interface TopUpAnswer {
  balance: string;
  outstanding: string;
  status: string;
  settlements: Array<{ billId: string; amount: string; outstandingAfter: string; status: string }>;
}
