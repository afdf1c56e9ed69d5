/**
 * Typed transaction origins. Every `transact` names who made the change, so
 * that observers can decide what to store, what to relay, what undo tracks
 * and which echoes to ignore.
 */
export type Origin =
  /** A change made by the person at this client (tracked by their UndoManager). */
  | { readonly kind: 'local'; readonly userId: string }
  /** A change received from a connection (server) or from the server (client). */
  | { readonly kind: 'remote'; readonly connectionId: string }
  /** Loaded from storage: never stored again, never relayed. */
  | { readonly kind: 'persistence' }
  /** Received from another server instance: stored there already, never relayed back. */
  | { readonly kind: 'relay' }
  /** Written by the server itself (roster, imports, demo board). */
  | { readonly kind: 'server'; readonly reason: string };

export const isOrigin = (o: unknown): o is Origin =>
  typeof o === 'object' && o !== null && typeof (o as { kind?: unknown }).kind === 'string';

export const localOrigin = (userId: string): Origin => ({ kind: 'local', userId });
export const serverOrigin = (reason: string): Origin => ({ kind: 'server', reason });
export const PERSISTENCE_ORIGIN: Origin = Object.freeze({ kind: 'persistence' });
export const RELAY_ORIGIN: Origin = Object.freeze({ kind: 'relay' });
