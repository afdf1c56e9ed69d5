import type { DenialCode } from '../../shared/protocol';
import type { Role } from '../../shared/schema';

/**
 * What the sync core counts (server/metrics/index.ts turns it into Prometheus
 * metrics; docs/deploy.md lists them). Parts take this small interface, never
 * the registry: tests and parts built without metrics get `NO_METRICS`.
 */
export interface SyncMetrics {
  /** A connection was admitted and joined its documents; call the result once it is gone. */
  connectionOpened(transport: string, role: Role): () => void;
  /**
   * An update a client sent was accepted: applied, stored and sent on
   * `seconds` after it arrived (the wait for the tick, the store, the relay, the broadcast).
   */
  updateAccepted(seconds: number): void;
  /** An update a client sent was refused, whole (the rule gate's or the core's reason). */
  updateRefused(reason: DenialCode): void;
  /** A message from another instance arrived this long after it was published. */
  relayLag(seconds: number): void;
}

export const NO_METRICS: SyncMetrics = {
  connectionOpened: () => () => {},
  updateAccepted: () => {},
  updateRefused: () => {},
  relayLag: () => {},
};
