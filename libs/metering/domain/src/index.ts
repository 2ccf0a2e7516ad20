export * from './usage-event.validator';
export * from './usage-timeline';
export * from './timeline-point.factory';
export * from './subscription-change.validator';
export * from './billing-period';
export * from './usage-event-identity';
