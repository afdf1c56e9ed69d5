import type { Logger } from '../log';
import type { Connection } from './connection';
import type { Room } from './room';

/**
 * What a feature may attach to a document, the way Hocuspocus extensions do:
 * history, the private notes count, the relay between instances and the Q&A
 * inbox each hook in here instead of wrapping the store or the room. Every
 * hook is optional and synchronous except `beforeLoad`; a hook that throws is
 * logged and does not stop the others (nor the room), except `afterStore`.
 */
export interface DocumentHooks {
  /** Before the stored log is read (the relay subscribes here, so nothing stored meanwhile is missed). */
  beforeLoad?(room: Room): Promise<void>;
  /** The document is loaded; no connection has joined yet. */
  onLoad?(room: Room): void;
  /**
   * One flush's accepted updates were stored, merged into `merged`; nobody has
   * received them yet. Unlike the others, a throw here fails the room (G6).
   */
  afterStore?(room: Room, merged: Uint8Array): void;
  /** Our connections' presence changed (the changed entries, encoded). */
  afterPresence?(room: Room, update: Uint8Array): void;
  onJoin?(room: Room, conn: Connection): void;
  onLeave?(room: Room, conn: Connection): void;
  /** The room goes away: unloaded, failed or closed. */
  onUnload?(room: Room): void;
}

type SyncHook = Exclude<keyof DocumentHooks, 'beforeLoad' | 'afterStore'>;

/** Runs one kind of hook of every attached feature, in order; a failing hook is logged. */
export function runHooks<K extends SyncHook>(
  hooks: readonly DocumentHooks[],
  name: K,
  log: Logger,
  ...args: Parameters<NonNullable<DocumentHooks[K]>>
): void {
  for (const h of hooks) {
    const fn = h[name] as ((...a: typeof args) => void) | undefined;
    if (!fn) continue;
    try {
      fn.apply(h, args);
    } catch (e) {
      log.error({ err: e, hook: name }, 'a document hook failed');
    }
  }
}
