import { DateTime } from 'luxon';
import { BillingCalendar, billingCalendar, DomainError, newId } from '@cec/kernel';
import type { BillingMode, ProductUnit, SubscriptionChangedEvent, SubscriptionChangeKind, SubscriptionStatus } from '@cec/contracts';
import {
  assertProductAllowsBillingMode,
  billingModeChangeEffectiveAt,
  normaliseInstant,
  parseBillingMode,
  parseClientId,
  parseProductCode,
  parseQuantity,
} from './subscription.rules';

/** What the subscription needs to know of a catalog product (a `ProductSummary` fits). */
export interface SubscriptionProduct {
  readonly code: string;
  readonly unit: ProductUnit;
  readonly billingModes: readonly string[];
}

export interface EnableSubscriptionInput {
  /** A client-chosen id; the server chooses one (`sub_…`) when absent. */
  readonly id?: string;
  readonly accountId: string;
  readonly productCode: string;
  readonly quantity: number;
  /** Any string: modes the platform does not support are refused (R3.1). */
  readonly billingMode: string;
  readonly enabledAt: DateTime;
}

export interface ChangeSubscriptionInput {
  readonly effectiveAt: DateTime;
  readonly quantity?: number;
  readonly productCode?: string;
}

export interface CancelSubscriptionInput {
  readonly effectiveAt: DateTime;
}

/**
 * One entry of the append-only history: the full state of the subscription from `effectiveAt` on.
 * Entries are ordered by `sequence` (from 1) and their `effectiveAt` never decreases.
 */
export interface SubscriptionChange {
  readonly sequence: number;
  readonly kind: SubscriptionChangeKind;
  readonly effectiveAt: DateTime;
  readonly productCode: string;
  readonly quantity: number;
  readonly billingMode: BillingMode;
  readonly status: SubscriptionStatus;
}

/** R3.3: a billing-mode change waiting for the start of the next period. */
export interface PendingBillingModeChange {
  readonly billingMode: BillingMode;
  readonly requestedAt: DateTime;
  readonly effectiveAt: DateTime;
}

/** The persisted form of a subscription. The current-state fields repeat the last change. */
export interface SubscriptionSnapshot {
  readonly id: string;
  readonly accountId: string;
  readonly unit: ProductUnit;
  readonly productCode: string;
  readonly quantity: number;
  readonly billingMode: BillingMode;
  readonly status: SubscriptionStatus;
  readonly enabledAt: DateTime;
  readonly cancelledAt: DateTime | null;
  /** The sequence of the last change: a version for optimistic locking. */
  readonly version: number;
  readonly changes: readonly SubscriptionChange[];
  readonly pendingBillingModeChange: PendingBillingModeChange | null;
}

function freezeChange(change: SubscriptionChange): SubscriptionChange {
  return Object.freeze({ ...change, effectiveAt: change.effectiveAt.toUTC() });
}

/** R2.2: instants go out in the billing zone, to the second. */
function format(instant: DateTime): string {
  return billingCalendar.formatInstant(instant.startOf('second'));
}

/**
 * The subscription aggregate (R3): an account's subscription to a product, enabled at an instant,
 * whose quantity and edition change and which is cancelled, each at an instant. Its history is
 * append-only in time. Every operation either records exactly what it did or throws and changes
 * nothing (R8.1).
 */
export class Subscription {
  private constructor(
    readonly id: string,
    readonly accountId: string,
    /** The billing unit of its products; an edition change keeps it (R3.5). */
    readonly unit: ProductUnit,
    private readonly history: SubscriptionChange[],
    private pending: PendingBillingModeChange | null,
  ) {}

  /**
   * R3.1/R3.2: enables a subscription at `enabledAt`. Its first change (`kind: 'enabled'`,
   * sequence 1) is {@link lastChange}.
   */
  static enable(input: EnableSubscriptionInput, product: SubscriptionProduct): Subscription {
    const id = input.id === undefined ? newId('sub') : parseClientId(input.id, 'id');
    const accountId = parseClientId(input.accountId, 'accountId');
    const productCode = parseProductCode(input.productCode);
    if (product.code !== productCode) {
      throw new Error(`Subscription.enable was given product ${product.code} for productCode ${productCode}`);
    }
    const quantity = parseQuantity(input.quantity);
    const billingMode = parseBillingMode(input.billingMode);
    assertProductAllowsBillingMode(product, billingMode);
    const enabledAt = normaliseInstant(input.enabledAt, 'enabledAt');
    const first = freezeChange({ sequence: 1, kind: 'enabled', effectiveAt: enabledAt, productCode, quantity, billingMode, status: 'active' });
    return new Subscription(id, accountId, product.unit, [first], null);
  }

  /** Rebuilds a subscription from its persisted form; refuses a snapshot that breaks the invariants. */
  static restore(snapshot: SubscriptionSnapshot): Subscription {
    const corrupt = (reason: string): Error => new Error(`subscription snapshot ${snapshot.id} is inconsistent: ${reason}`);
    const changes = [...snapshot.changes].sort((a, b) => a.sequence - b.sequence).map(freezeChange);
    if (changes.length === 0 || changes[0].kind !== 'enabled') {
      throw corrupt('its history must start with an enabled change');
    }
    changes.forEach((change, index) => {
      if (change.sequence !== index + 1) {
        throw corrupt(`change sequences must run 1..n, found ${change.sequence} at position ${index + 1}`);
      }
      if (index > 0 && change.effectiveAt.toMillis() < changes[index - 1].effectiveAt.toMillis()) {
        throw corrupt(`change ${change.sequence} is earlier than change ${index}`);
      }
      if (change.status === 'cancelled' && index !== changes.length - 1) {
        throw corrupt(`change ${change.sequence} cancels the subscription but is not the last change`);
      }
    });
    const pending = snapshot.pendingBillingModeChange;
    const subscription = new Subscription(
      snapshot.id,
      snapshot.accountId,
      snapshot.unit,
      changes,
      pending ? Object.freeze({ ...pending, requestedAt: pending.requestedAt.toUTC(), effectiveAt: pending.effectiveAt.toUTC() }) : null,
    );
    const derived = subscription.snapshot();
    const mismatched = (['productCode', 'quantity', 'billingMode', 'status', 'version'] as const).filter((key) => derived[key] !== snapshot[key]);
    if (
      mismatched.length > 0 ||
      derived.enabledAt.toMillis() !== snapshot.enabledAt.toMillis() ||
      (derived.cancelledAt?.toMillis() ?? null) !== (snapshot.cancelledAt?.toMillis() ?? null)
    ) {
      throw corrupt(`its current state does not match its last change (${mismatched.join(', ') || 'enabledAt/cancelledAt'})`);
    }
    return subscription;
  }

  snapshot(): SubscriptionSnapshot {
    return {
      id: this.id,
      accountId: this.accountId,
      unit: this.unit,
      productCode: this.productCode,
      quantity: this.quantity,
      billingMode: this.billingMode,
      status: this.status,
      enabledAt: this.enabledAt,
      cancelledAt: this.cancelledAt,
      version: this.version,
      changes: this.changes,
      pendingBillingModeChange: this.pending,
    };
  }

  // ---- current state: the state after the last change ----

  get lastChange(): SubscriptionChange {
    return this.history[this.history.length - 1];
  }

  get productCode(): string {
    return this.lastChange.productCode;
  }

  get quantity(): number {
    return this.lastChange.quantity;
  }

  get billingMode(): BillingMode {
    return this.lastChange.billingMode;
  }

  get status(): SubscriptionStatus {
    return this.lastChange.status;
  }

  get enabledAt(): DateTime {
    return this.history[0].effectiveAt;
  }

  get cancelledAt(): DateTime | null {
    return this.status === 'cancelled' ? this.lastChange.effectiveAt : null;
  }

  /** The sequence of the last change. */
  get version(): number {
    return this.lastChange.sequence;
  }

  /** The whole history, oldest first. */
  get changes(): readonly SubscriptionChange[] {
    return [...this.history];
  }

  get pendingBillingModeChange(): PendingBillingModeChange | null {
    return this.pending;
  }

  /** Changes recorded after `sequence`, oldest first: what to store and publish after an operation. */
  changesAfter(sequence: number): SubscriptionChange[] {
    return this.history.filter((change) => change.sequence > sequence);
  }

  /** The change in force at an instant (the last one not after it), or null before enabling. */
  stateAt(instant: DateTime): SubscriptionChange | null {
    const at = instant.toMillis();
    let found: SubscriptionChange | null = null;
    for (const change of this.history) {
      if (change.effectiveAt.toMillis() > at) {
        break;
      }
      found = change;
    }
    return found;
  }

  /** R3.2: the quantity in force at an instant; 0 before enabling and from cancelling on. */
  quantityAt(instant: DateTime): number {
    return this.stateAt(instant)?.quantity ?? 0;
  }

  // ---- operations ----

  /**
   * R3.2/R3.5: a quantity and/or edition change at `effectiveAt`. An edition change needs the new
   * product: it must be billed in the same unit and allow the subscription's billing mode.
   */
  change(input: ChangeSubscriptionInput, product?: SubscriptionProduct): SubscriptionChange {
    const effectiveAt = this.assertCanChangeAt(input.effectiveAt, 'effectiveAt');
    if (input.quantity === undefined && input.productCode === undefined) {
      throw DomainError.validation('a change must give quantity and/or productCode');
    }
    const quantity = input.quantity === undefined ? this.quantity : parseQuantity(input.quantity);
    const productCode = input.productCode === undefined ? this.productCode : parseProductCode(input.productCode);
    const due = this.duePendingAt(effectiveAt);
    const billingMode = due ? due.billingMode : this.billingMode;
    const editionChanges = productCode !== this.productCode;
    if (editionChanges) {
      if (!product || product.code !== productCode) {
        throw new Error(`Subscription.change needs the product ${productCode} to change edition, got ${product?.code ?? 'none'}`);
      }
      if (product.unit !== this.unit) {
        throw DomainError.validation(
          `productCode ${productCode} is billed per ${product.unit} but the subscription is billed per ${this.unit}; an edition change must keep the unit`,
        );
      }
      assertProductAllowsBillingMode(product, billingMode, 'the subscription\'s billingMode');
      if (this.pending && !due) {
        assertProductAllowsBillingMode(product, this.pending.billingMode, 'the requested billingMode');
      }
    }
    const quantityChanges = quantity !== this.quantity;
    const kind: SubscriptionChangeKind = editionChanges && quantityChanges ? 'changed' : editionChanges ? 'edition_changed' : 'quantity_changed';
    // Nothing has been changed so far; from here on nothing can fail.
    this.settleDuePending(effectiveAt);
    return this.append({ kind, effectiveAt, productCode, quantity, billingMode, status: 'active' });
  }

  /** R3.2: cancels at `effectiveAt`; from then on the quantity in force is 0. */
  cancel(input: CancelSubscriptionInput): SubscriptionChange {
    const effectiveAt = this.assertCanChangeAt(input.effectiveAt, 'effectiveAt');
    this.settleDuePending(effectiveAt);
    this.pending = null; // a mode change due after the cancellation never happens
    return this.append({ kind: 'cancelled', effectiveAt, productCode: this.productCode, quantity: 0, billingMode: this.billingMode, status: 'cancelled' });
  }

  /**
   * R3.3: the billing mode never changes inside a billing period. A request for another mode the
   * platform and the product allow waits for the start of the next period, as the pending change
   * (returned); a request for the mode in force is a no-op (and withdraws any pending change), so it
   * returns null. Since only `pay_per_use` exists (R3.1), any other mode is refused with
   * `UNSUPPORTED_BILLING_MODE`. `product` (the current product) is needed only for a real change.
   */
  requestBillingModeChange(
    mode: string,
    at: DateTime,
    calendar: BillingCalendar,
    product?: Pick<SubscriptionProduct, 'code' | 'billingModes'>,
  ): PendingBillingModeChange | null {
    const requestedAt = this.assertCanChangeAt(at, 'requestedAt');
    const requested = parseBillingMode(mode);
    const due = this.duePendingAt(requestedAt);
    const inForce = due ? due.billingMode : this.billingMode;
    if (requested === inForce) {
      this.settleDuePending(requestedAt);
      this.pending = null;
      return null;
    }
    if (!product || product.code !== this.productCode) {
      throw new Error(`Subscription.requestBillingModeChange needs the product ${this.productCode}, got ${product?.code ?? 'none'}`);
    }
    assertProductAllowsBillingMode(product, requested);
    this.settleDuePending(requestedAt);
    this.pending = Object.freeze({ billingMode: requested, requestedAt, effectiveAt: billingModeChangeEffectiveAt(requestedAt, calendar) });
    return this.pending;
  }

  /** Records a pending billing-mode change whose instant has come (kind `changed`), if any. */
  applyDueBillingModeChange(at: DateTime): SubscriptionChange | null {
    return this.settleDuePending(normaliseInstant(at, 'at'));
  }

  /** The `subscription.changed` event of one of its changes: the full state from `effectiveAt` on. */
  toChangedEvent(change: SubscriptionChange, eventId: string, occurredAt: DateTime): SubscriptionChangedEvent {
    return {
      id: eventId,
      occurredAt: format(occurredAt),
      subscriptionId: this.id,
      accountId: this.accountId,
      kind: change.kind,
      effectiveAt: format(change.effectiveAt),
      sequence: change.sequence,
      productCode: change.productCode,
      quantity: change.quantity,
      billingMode: change.billingMode,
      status: change.status,
      enabledAt: format(this.enabledAt),
      cancelledAt: change.status === 'cancelled' ? format(change.effectiveAt) : null,
    };
  }

  // ---- internals ----

  /**
   * The time rules shared by every operation (active, not before enabling, not before the last
   * change); returns the normalised instant. Public so that a use case can refuse early, before
   * asking another app for anything.
   */
  assertCanChangeAt(instant: DateTime, field: string): DateTime {
    const at = normaliseInstant(instant, field);
    if (this.status !== 'active') {
      throw new DomainError('SUBSCRIPTION_NOT_ACTIVE', `subscription ${this.id} was cancelled at ${format(this.lastChange.effectiveAt)} and cannot change any more`);
    }
    if (at.toMillis() < this.enabledAt.toMillis()) {
      throw DomainError.validation(`${field} must not be before the subscription was enabled (${format(this.enabledAt)})`);
    }
    if (at.toMillis() < this.lastChange.effectiveAt.toMillis()) {
      throw new DomainError(
        'CHANGE_BEFORE_LAST_CHANGE',
        `${field} must not be before the subscription's last change (${format(this.lastChange.effectiveAt)}): its history is append-only in time`,
      );
    }
    return at;
  }

  private duePendingAt(at: DateTime): PendingBillingModeChange | null {
    return this.pending && this.pending.effectiveAt.toMillis() <= at.toMillis() ? this.pending : null;
  }

  private settleDuePending(at: DateTime): SubscriptionChange | null {
    const due = this.duePendingAt(at);
    if (!due) {
      return null;
    }
    this.pending = null;
    return this.append({
      kind: 'changed',
      effectiveAt: due.effectiveAt,
      productCode: this.productCode,
      quantity: this.quantity,
      billingMode: due.billingMode,
      status: this.status,
    });
  }

  private append(state: Omit<SubscriptionChange, 'sequence'>): SubscriptionChange {
    const change = freezeChange({ sequence: this.version + 1, ...state });
    this.history.push(change);
    return change;
  }
}
