import type { Awareness } from 'y-protocols/awareness';
import type * as Y from 'yjs';
import type { DocKind, Role } from '$shared/schema';
import type { Denial, QuestionsPush, SessionInfo } from '$shared/protocol';
import type { Actor } from '$shared/policy';

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
  /**
   * The person's id on this board, issued by the server (kept per board in
   * localStorage `plenary.person.<boardId>`), or the server's per-connection
   * id when none was issued.
   */
  id: string;
  /** Display name (the person's own, validated by the server). */
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
  /**
   * True while the board shows the documents fetched before the join and the identity is still
   * being asked for (read-only until then). Absent: never.
   */
  readonly joining?: boolean;
  readonly lastDenial: Denial | null;
  readonly clock: ServerClock;
  /**
   * Grows whenever state built on the documents or the user id is stale (a
   * document replaced after a refused change, a new identity): re-create it.
   */
  readonly generation: number;
  /** This person as the rules see them (shared/policy): role, ids, issued identity. */
  readonly actor: Actor;
  /** Why this person may not write `doc` now (shared/policy `writeDenial`), or null. */
  writeDenial(doc: DocKind): Denial | null;
  /** Role-based write right, including `live.boardLocked` for participants. */
  canWrite(doc: DocKind): boolean;
  /** The token of this link, for authenticated downloads (never put it in a URL). */
  readonly token: string;
  /** QA9: the server's pushes of waiting questions and the moderation switch; returns the unsubscribe. */
  onQuestions(listener: (push: QuestionsPush) => void): () => void;
  destroy(): void;
}
