import type { Awareness } from 'y-protocols/awareness';
import type * as Y from 'yjs';
import type { DocKind, Role } from '../../../../shared/schema';
import type { Denial, SessionInfo } from '../../../../shared/protocol';

/**
 * What the board page and every feature area (agenda, board, tasks) get from
 * the connection. Implemented by `BoardSession` in `session.svelte.ts`; the
 * reactive fields are Svelte 5 `$state`, so reading them in a component or
 * `$derived` tracks them.
 */

/** Honest connection state for the header. */
export type ConnectionState =
  | 'connecting' // first connection attempt, nothing synced yet
  | 'syncing' // connected, initial sync or local changes not yet acknowledged
  | 'saved' // connected and every local change is stored by the server
  | 'offline'; // disconnected; `unsynced` local changes wait for reconnection

export interface LocalUser {
  /** Stable per-browser id (localStorage `plenary.userId`). */
  id: string;
  /** Display name (localStorage `plenary.name`). */
  name: string;
  /** Presence colour, derived from the id. */
  color: string;
}

/** Agreed "now": server epoch ms estimated from NTP-style samples over the socket. */
export interface ServerClock {
  now(): number;
  /** serverTime - localTime, in ms (reactive). */
  readonly offsetMs: number;
  /** Best round trip seen, ms (reactive), or null before the first sample. */
  readonly rttMs: number | null;
}

/** Presence shape kept in Awareness (never in the documents). */
export interface PresenceState {
  user: { id: string; name: string; color: string; role: Role };
  /** World coordinates of the pointer on the canvas, or null. */
  cursor?: { x: number; y: number } | null;
  /** Id of the note this person is editing, or null. */
  editing?: string | null;
}

export interface BoardSessionApi {
  readonly boardId: string;
  readonly user: LocalUser;
  readonly docs: Readonly<Record<DocKind, Y.Doc>>;
  readonly awareness: Readonly<Record<DocKind, Awareness>>;
  /** From the server's `session` event; null until then. */
  readonly info: SessionInfo | null;
  readonly role: Role;
  readonly title: string;
  readonly connection: ConnectionState;
  /** Local updates not yet acknowledged as stored by the server. */
  readonly unsynced: number;
  /** True once every document received the server's initial state. */
  readonly synced: boolean;
  readonly lastDenial: Denial | null;
  readonly clock: ServerClock;
  /** Role-based write right, including `live.boardLocked` for participants. */
  canWrite(doc: DocKind): boolean;
  /** The token of this link, for authenticated downloads (never put it in a URL). */
  readonly token: string;
  destroy(): void;
}
