/** Nest token of the app's BillingRunSettings. */
export const BILLING_RUN_SETTINGS = Symbol.for('cec.billing.RunSettings');
