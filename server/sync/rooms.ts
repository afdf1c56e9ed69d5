import type * as Y from 'yjs';
import type { BoardLimits } from '../../shared/policy';
import type { DocKind } from '../../shared/schema';
import type { Config } from '../config';
import type { Logger } from '../log';
import type { DocStore } from '../persistence/store';
import type { Relay } from '../relay/relay';
import type { DocAccess } from './doc-access';
import type { DocumentHooks } from './doc-hooks';
import { documentRights } from './rights';
import { Room } from './room';
import { relayHooks } from './room-relay';
import type { VoteBudget } from './vote-budget';

interface Entry {
  loading: Promise<Room>;
  room: Room | null;
  refs: number;
  unloadTimer: NodeJS.Timeout | null;
  /** A board room keeps its agenda loaded: the lock lives there. */
  releaseDependency: (() => void) | null;
}

/**
 * A document's name in the store and the relay: `<boardId>/<kind>`, and
 * `<boardId>/mine:<userId>` for a person's private notes (PW1).
 */
export const docName = (boardId: string, kind: DocKind, owner = ''): string =>
  kind === 'mine' ? `${boardId}/mine:${owner}` : `${boardId}/${kind}`;

export interface Lease {
  room: Room;
  release(): void;
}

/**
 * The document registry: loads each document once, shares it between
 * connections and server-side changes, and unloads it a grace period after
 * the last user left (also when loading or saving failed).
 */
export class RoomManager implements DocAccess {
  private readonly entries = new Map<string, Entry>();
  private readonly unloading = new Map<string, Promise<void>>();
  private closed = false;

  constructor(
    private readonly deps: {
      store: DocStore;
      relay: Relay;
      log: Logger;
      config: Pick<Config, 'tickMs' | 'unloadGraceMs' | 'compactAfterUpdates' | 'relayCheckMs'> & {
        boardLimits: BoardLimits;
      };
      /** Several instances: the cluster's check of a person's votes (R6). */
      voteBudget?: VoteBudget;
      /** The features each document attaches (history, counts, …; see `DocumentHooks`). */
      hooks?: (doc: { boardId: string; kind: DocKind; owner: string }) => DocumentHooks[];
    },
  ) {}

  get loadedCount(): number {
    return this.entries.size;
  }

  isLoaded(boardId: string, kind: DocKind, owner = ''): boolean {
    return this.entries.get(docName(boardId, kind, owner))?.room != null;
  }

  /**
   * A lease on one document. `owner` names whose private notes a `mine` document
   * holds (PW1): the sync core passes the connection's own identity, never a name
   * the client chose; other kinds ignore it.
   */
  async acquire(boardId: string, kind: DocKind, owner = ''): Promise<Lease> {
    if (this.closed) throw new Error('server is shutting down');
    const name = docName(boardId, kind, owner);
    let entry = this.entries.get(name);
    if (!entry) {
      const pendingUnload = this.unloading.get(name);
      if (pendingUnload) await pendingUnload;
      entry = this.entries.get(name);
    }
    if (!entry) {
      const fresh: Entry = {
        loading: null as unknown as Promise<Room>,
        room: null,
        refs: 0,
        unloadTimer: null,
        releaseDependency: null,
      };
      fresh.loading = this.load(boardId, kind, owner, name, fresh);
      this.entries.set(name, fresh);
      entry = fresh;
    }
    entry.refs++;
    if (entry.unloadTimer) {
      clearTimeout(entry.unloadTimer);
      entry.unloadTimer = null;
    }
    let room: Room;
    try {
      room = await entry.loading;
    } catch (e) {
      entry.refs--;
      throw e;
    }
    let released = false;
    const e = entry;
    return {
      room,
      release: () => {
        if (released) return;
        released = true;
        this.release(name, e);
      },
    };
  }

  private async load(
    boardId: string,
    kind: DocKind,
    owner: string,
    name: string,
    entry: Entry,
  ): Promise<Room> {
    try {
      let agenda: Room | null = null;
      let board: Room | null = null;
      if (kind === 'board') {
        const dep = await this.acquire(boardId, 'agenda');
        agenda = dep.room;
        entry.releaseDependency = dep.release;
      } else if (kind === 'mine') {
        // A private notes document keeps its board loaded: the phase, the lock and the count live there.
        const dep = await this.acquire(boardId, 'board');
        board = dep.room;
        entry.releaseDependency = dep.release;
      }
      const { config, store, relay, log } = this.deps;
      const rights = documentRights(kind, {
        agenda,
        board,
        agendaOfBoard: () => this.entries.get(`${boardId}/agenda`)?.room ?? null,
      });
      const room = await Room.load({
        name,
        kind,
        store,
        log,
        tickMs: config.tickMs,
        awarenessTickMs: Math.max(config.tickMs, 50),
        compactAfterUpdates: config.compactAfterUpdates,
        rights,
        limits: config.boardLimits,
        ...(kind === 'board' && this.deps.voteBudget ? { voteBudget: this.deps.voteBudget } : {}),
        // The relay first: it subscribes before the stored log is read.
        hooks: [
          relayHooks(relay, log, config.relayCheckMs),
          ...(this.deps.hooks?.({ boardId, kind, owner }) ?? []),
        ],
        onFailure: (failed) => this.forget(name, entry, failed),
      });
      entry.room = room;
      return room;
    } catch (e) {
      // A failed load leaves nothing behind; the next acquire tries again.
      this.entries.delete(name);
      entry.releaseDependency?.();
      this.deps.log.error({ err: e, doc: name }, 'loading document failed');
      throw e;
    }
  }

  /** A failed room (G6) is dropped at once; the next connection loads the document again. */
  private forget(name: string, entry: Entry, room: Room): void {
    if (this.entries.get(name) !== entry || entry.room !== room) return;
    this.entries.delete(name);
    if (entry.unloadTimer) clearTimeout(entry.unloadTimer);
    entry.releaseDependency?.();
    entry.releaseDependency = null;
    // A board room depends on its agenda; when the agenda fails, the board goes with it.
    if (room.name.endsWith('/agenda')) {
      const board = this.entries.get(`${room.name.slice(0, -'/agenda'.length)}/board`);
      board?.room?.fail(new Error('its agenda failed'));
    }
  }

  private release(name: string, entry: Entry): void {
    entry.refs--;
    if (entry.refs > 0 || this.entries.get(name) !== entry) return;
    entry.unloadTimer = setTimeout(() => void this.unload(name, entry), this.deps.config.unloadGraceMs);
    entry.unloadTimer.unref();
  }

  private async unload(name: string, entry: Entry): Promise<void> {
    if (entry.refs > 0 || this.entries.get(name) !== entry) return;
    this.entries.delete(name);
    const done = (async () => {
      try {
        const room = await entry.loading.catch((e: unknown) => {
          // load() logged it as an error already; a failed load leaves nothing to destroy.
          this.deps.log.debug({ err: e, doc: name }, 'unloading a document whose load failed');
          return null;
        });
        await room?.destroy();
      } catch (e) {
        this.deps.log.error({ err: e, doc: name }, 'unloading document failed');
      } finally {
        entry.releaseDependency?.();
      }
    })();
    this.unloading.set(name, done);
    await done;
    if (this.unloading.get(name) === done) this.unloading.delete(name);
  }

  // ---- DocAccess (server-side reads and changes) --------------------------

  async read<T>(boardId: string, kind: DocKind, fn: (doc: Y.Doc) => T, owner = ''): Promise<T> {
    const lease = await this.acquire(boardId, kind, owner);
    try {
      return fn(lease.room.doc);
    } finally {
      lease.release();
    }
  }

  async change(
    boardId: string,
    kind: DocKind,
    reason: string,
    fn: (doc: Y.Doc) => void,
    owner = '',
  ): Promise<void> {
    const lease = await this.acquire(boardId, kind, owner);
    try {
      await lease.room.change(reason, fn);
    } finally {
      lease.release();
    }
  }

  /**
   * Unloads every loaded document of one board at once, without the grace
   * period (a deleted board, B2). Like `closeAll`, each room is destroyed after
   * storing what is pending, so the caller deletes the stored rows after this
   * resolves. Rooms do not close their connections: close them first
   * (`SessionRegistry.markBoardDeleted` closes them with 4404). Returns how many were loaded.
   */
  async evict(boardId: string): Promise<number> {
    const prefix = `${boardId}/`;
    return this.unloadNow((name) => name.startsWith(prefix));
  }

  /** Flush and unload everything (graceful shutdown). */
  async closeAll(): Promise<void> {
    this.closed = true;
    await this.unloadNow(() => true);
  }

  /** Unloads the documents whose names match at once (no grace period); returns how many were loaded. */
  private async unloadNow(matches: (name: string) => boolean): Promise<number> {
    const mine = [...this.entries.entries()].filter(([name]) => matches(name));
    // Private notes first (they hold their board), then board rooms (they hold their agenda).
    const rank = (name: string): number => (name.includes('/mine:') ? 2 : name.endsWith('/board') ? 1 : 0);
    mine.sort(([a], [b]) => rank(b) - rank(a));
    for (const [name, entry] of mine) {
      if (entry.unloadTimer) clearTimeout(entry.unloadTimer);
      entry.refs = 0;
      await this.unload(name, entry);
    }
    await Promise.all([...this.unloading].filter(([name]) => matches(name)).map(([, p]) => p));
    return mine.length;
  }
}
