import type { NextFunction, Request, Response } from 'express';
import { Counter, Gauge, Histogram, register } from 'prom-client';

/*
 * The app's Prometheus metrics, in prom-client's default registry (the one @willsoto/nestjs-prometheus
 * serves at /metrics). One app runs per process in production; tests that boot several apps in one
 * process share the registry, which is why metrics are looked up before they are created and why the
 * on-scrape gauges gather values from every source registered in the process.
 */

function existing<T>(name: string): T | undefined {
  return register.getSingleMetric(name) as T | undefined;
}

function counter(name: string, help: string, labelNames: readonly string[]): Counter<string> {
  return existing<Counter<string>>(name) ?? new Counter({ name, help, labelNames });
}

/** A histogram of the registry, created on first use (see the registry note above). */
export function histogram(name: string, help: string, labelNames: readonly string[], buckets: readonly number[]): Histogram<string> {
  return existing<Histogram<string>>(name) ?? new Histogram({ name, help, labelNames, buckets: [...buckets] });
}

/** A counter of the registry, created on first use (see the registry note above). */
export function namedCounter(name: string, help: string, labelNames: readonly string[] = []): Counter<string> {
  return counter(name, help, labelNames);
}

/** Labels of the HTTP metrics: `route` is the pattern Nest matched (`/v1/accounts/:id`), never the URL. */
export const HTTP_LABELS = ['method', 'route', 'status'] as const;

export function httpRequestsCounter(): Counter<string> {
  return counter('cec_http_requests_total', 'HTTP requests answered, by method, route pattern and status', HTTP_LABELS);
}

export function httpDurationHistogram(): Histogram<string> {
  return (
    existing<Histogram<string>>('cec_http_request_duration_seconds') ??
    new Histogram({
      name: 'cec_http_request_duration_seconds',
      help: 'HTTP request latency in seconds, by method, route pattern and status',
      labelNames: HTTP_LABELS,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    })
  );
}

/** Route label of a request Express did not route to a handler (404s, /docs): one value, no URL. */
export const UNMATCHED_ROUTE = 'unmatched';

/**
 * Express middleware counting every answered request (401s and 404s included) by the route
 * pattern that matched, read when the response is finished.
 */
export function httpMetricsMiddleware(): (req: Request, res: Response, next: NextFunction) => void {
  const requests = httpRequestsCounter();
  const duration = httpDurationHistogram();
  return (req, res, next) => {
    const started = process.hrtime.bigint(); // a duration, not business time
    res.on('finish', () => {
      const routePath = (req.route as { path?: unknown } | undefined)?.path;
      const route = typeof routePath === 'string' ? `${req.baseUrl}${routePath}` : UNMATCHED_ROUTE;
      const labels = { method: req.method, route, status: String(res.statusCode) };
      requests.inc(labels);
      duration.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
    });
    next();
  };
}

/** Per JetStream consumer (`stream`, `consumer` = durable name): what the consumer loop did. */
export interface ConsumerCounters {
  delivered: Counter<string>;
  acked: Counter<string>;
  redelivered: Counter<string>;
  deadLettered: Counter<string>;
}

export function consumerCounters(): ConsumerCounters {
  const labels = ['stream', 'consumer'];
  return {
    delivered: counter('cec_jetstream_messages_delivered_total', 'Messages fetched by the consumer (redeliveries included)', labels),
    acked: counter('cec_jetstream_messages_acked_total', 'Messages acknowledged after their batch committed', labels),
    redelivered: counter('cec_jetstream_messages_redelivered_total', 'Messages handed back for a later redelivery (nak with backoff)', labels),
    deadLettered: counter(
      'cec_jetstream_messages_dead_lettered_total',
      'Messages ended for good (terminal failure: dead-lettered, then terminated in JetStream)',
      labels,
    ),
  };
}

/** Fills an on-scrape gauge with the values of one source (one app's outbox, one consumer, ...). */
export type GaugeFiller = (gauge: Gauge<string>) => Promise<void>;

const fillers = new Map<string, Set<GaugeFiller>>();

/**
 * A gauge computed when Prometheus scrapes: every registered filler sets its labelled values.
 * A filler that fails or takes longer than 2 s leaves its values out of that scrape.
 */
export function scrapedGauge(name: string, help: string, labelNames: readonly string[]): Gauge<string> {
  const found = existing<Gauge<string>>(name);
  if (found) return found;
  const set = new Set<GaugeFiller>();
  fillers.set(name, set);
  return new Gauge({
    name,
    help,
    labelNames,
    async collect() {
      this.reset();
      await Promise.all([...set].map((fill) => withTimeout(fill(this), 2000).catch(() => undefined)));
    },
  });
}

/** Registers a filler of the gauge `name` (created by {@link scrapedGauge}); returns its removal. */
export function addGaugeFiller(name: string, fill: GaugeFiller): () => void {
  const set = fillers.get(name);
  if (!set) throw new Error(`no on-scrape gauge named ${name}`);
  set.add(fill);
  return () => set.delete(fill);
}

/**
 * One read shared by the gauges of one source during a scrape: prom-client collects the gauges
 * side by side, so a read still in flight is reused; the next scrape reads again.
 */
export function sharedRead<T>(load: () => Promise<T>): () => Promise<T> {
  let inFlight: Promise<T> | null = null;
  return () => {
    if (inFlight === null) {
      const value = load();
      inFlight = value;
      const clear = (): void => {
        if (inFlight === value) inFlight = null;
      };
      value.then(clear, clear);
    }
    return inFlight;
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error('timeout')), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** Registers the consumer-state gauges read from JetStream's consumer info on scrape. */
export function consumerStateGauges(): { pending: Gauge<string>; ackPending: Gauge<string> } {
  const labels = ['stream', 'consumer'];
  return {
    pending: scrapedGauge('cec_jetstream_consumer_pending', 'Messages of the consumer not delivered yet (consumer info num_pending)', labels),
    ackPending: scrapedGauge(
      'cec_jetstream_consumer_ack_pending',
      'Messages delivered and not yet acknowledged (consumer info num_ack_pending)',
      labels,
    ),
  };
}

/** Registers the outbox gauges (per schema) computed from the outbox table on scrape. */
export function outboxGauges(): { unpublished: Gauge<string>; oldestAge: Gauge<string>; parked: Gauge<string> } {
  return {
    unpublished: scrapedGauge('cec_outbox_unpublished_rows', 'Outbox rows not yet published (parked rows excluded)', ['schema']),
    oldestAge: scrapedGauge(
      'cec_outbox_oldest_unpublished_age_seconds',
      'Age of the oldest unpublished outbox row, seconds (0 when none); database time minus the row\'s created_at',
      ['schema'],
    ),
    parked: scrapedGauge('cec_outbox_parked_rows', 'Outbox rows parked after repeated permanent publish failures', ['schema']),
  };
}
