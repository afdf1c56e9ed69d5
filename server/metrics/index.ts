import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { DenialCode } from '../../shared/protocol';
import type { Role } from '../../shared/schema';
import type { SyncMetrics } from './sync';

export { NO_METRICS, type SyncMetrics } from './sync';

/** Every refusal reason, so that each series exists (at 0) from the start. */
const REFUSALS = {
  'read-only': true,
  'board-locked': true,
  'too-large': true,
  malformed: true,
  schema: true,
  forbidden: true,
  'voting-closed': true,
  'no-votes-left': true,
  'client-id': true,
  'missing-dependencies': true,
  'board-full': true,
} satisfies Record<DenialCode, true>;

const ROLES: readonly Role[] = ['organizer', 'participant', 'viewer'];
/** The core's transport names (connection id prefixes) as metric labels. */
const TRANSPORTS: Readonly<Record<string, string>> = { sio: 'socket.io', ws: 'y-websocket' };

/** Seconds: 1 ms … 5 s, where a tick (15 ms) and a slow store both fall inside. */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

export interface MetricsOptions {
  /** Documents loaded in memory now (read at each scrape). */
  documentsLoaded?: () => number;
}

/**
 * One server's Prometheus registry (never the global one: each server, and
 * each test server, counts on its own). Every name starts with `plenary_`.
 * Node's default process metrics (CPU, memory, handles, GC, event-loop lag)
 * are registered at the first scrape, so that a server nobody scrapes does
 * not run their event-loop monitor.
 */
export class Metrics implements SyncMetrics {
  readonly registry = new Registry();
  private defaults = false;
  private readonly connections: Gauge<'transport' | 'role'>;
  private readonly updates: Counter<'outcome' | 'reason'>;
  private readonly commit: Histogram;
  private readonly relay: Histogram;
  private readonly store: Histogram<'op' | 'outcome'>;

  constructor(options: MetricsOptions = {}) {
    const registers = [this.registry];
    this.connections = new Gauge({
      name: 'plenary_connections',
      help: 'Open client connections, by transport and role',
      labelNames: ['transport', 'role'],
      registers,
    });
    for (const transport of Object.values(TRANSPORTS))
      for (const role of ROLES) this.connections.set({ transport, role }, 0);
    const { documentsLoaded } = options;
    new Gauge({
      name: 'plenary_documents_loaded',
      help: 'Documents loaded in memory (three per open board: agenda, board, tasks)',
      registers,
      collect() {
        if (documentsLoaded) this.set(documentsLoaded());
      },
    });
    this.updates = new Counter({
      name: 'plenary_updates_total',
      help: 'Updates sent by clients: accepted, or refused by reason (the rule gate, docs/SPEC.md G1-G7)',
      labelNames: ['outcome', 'reason'],
      registers,
    });
    this.updates.inc({ outcome: 'accepted', reason: '' }, 0);
    for (const reason of Object.keys(REFUSALS)) this.updates.inc({ outcome: 'refused', reason }, 0);
    this.commit = new Histogram({
      name: 'plenary_flush_duration_seconds',
      help: 'Time from an accepted update arriving to its flush: stored, relayed and sent on (includes the tick)',
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.store = new Histogram({
      name: 'plenary_store_duration_seconds',
      help: 'Time of one store call (load, append, compact, ...), by operation and outcome',
      labelNames: ['op', 'outcome'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.relay = new Histogram({
      name: 'plenary_relay_lag_seconds',
      help: 'Time from publishing on one instance to receiving on another (clocks of one host or NTP)',
      buckets: LATENCY_BUCKETS,
      registers,
    });
  }

  connectionOpened(transport: string, role: Role): () => void {
    const labels = { transport: TRANSPORTS[transport] ?? transport, role };
    this.connections.inc(labels);
    let open = true;
    return () => {
      if (!open) return;
      open = false;
      this.connections.dec(labels);
    };
  }

  updateAccepted(seconds: number): void {
    this.updates.inc({ outcome: 'accepted', reason: '' });
    this.commit.observe(seconds);
  }

  updateRefused(reason: DenialCode): void {
    // Only known reasons become labels (a bounded set of series).
    this.updates.inc({ outcome: 'refused', reason: reason in REFUSALS ? reason : 'other' });
  }

  relayLag(seconds: number): void {
    // Clocks of two hosts may disagree by a little: never a negative lag.
    this.relay.observe(Math.max(0, seconds));
  }

  /** One store call took `seconds`. */
  stored(op: string, seconds: number, ok: boolean): void {
    this.store.observe({ op, outcome: ok ? 'ok' : 'error' }, seconds);
  }

  /** The text exposition format, for `GET /metrics`. */
  async scrape(): Promise<{ contentType: string; body: string }> {
    if (!this.defaults) {
      this.defaults = true;
      collectDefaultMetrics({ register: this.registry, prefix: 'plenary_' });
    }
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}

/**
 * `store` with every method that returns a promise timed into
 * `plenary_store_duration_seconds{op}` (the method's name). Works for any
 * store (SQLite, PostgreSQL) and any method it gains later.
 */
export function timedStore<T extends object>(store: T, metrics: Metrics): T {
  // By name, and rebuilt when the method itself changes (a test may replace one).
  const wrapped = new Map<string, { method: unknown; fn: unknown }>();
  return new Proxy(store, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function' || typeof prop !== 'string') return value;
      let fn = wrapped.get(prop)?.method === value ? wrapped.get(prop)!.fn : null;
      if (!fn) {
        const method = value as (...args: unknown[]) => unknown;
        fn = function (this: unknown, ...args: unknown[]): unknown {
          const start = process.hrtime.bigint();
          const result = method.apply(target, args);
          if (!(result instanceof Promise)) return result;
          const took = (): number => Number(process.hrtime.bigint() - start) / 1e9;
          return result.then(
            (v: unknown) => {
              metrics.stored(prop, took(), true);
              return v;
            },
            (e: unknown) => {
              metrics.stored(prop, took(), false);
              throw e;
            },
          );
        };
        wrapped.set(prop, { method, fn });
      }
      return fn;
    },
  });
}
