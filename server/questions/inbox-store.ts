import * as Y from 'yjs';
import { isFiniteNumber, isSafeKey } from '../../shared/schema';
import type { DocStore } from '../persistence/store';
import type { InboxQuestion } from './model';

/**
 * The Q&A inbox store: questions waiting for approval and hidden ones, and who
 * asked each question, in a server-only Yjs document `<board>/qa-inbox` of the
 * document store (not one of the documents a connection may name, so no
 * transport serves it). Each instance keeps the inbox it loaded in memory for
 * `INBOX_CACHE_MS` and appends each change to the store, so instances sharing
 * a database merge their changes; operations on one board run one at a time.
 */

/** Hidden questions kept per board; beyond, the oldest hidden ones are deleted. */
export const MAX_HIDDEN = 1000;
/** Compact the inbox's update log beyond this many entries. */
const INBOX_COMPACT_AFTER = 100;
/** How long an instance trusts the inbox it loaded (a change elsewhere also drops it at once, when relayed). */
const INBOX_CACHE_MS = 10_000;
/** Inboxes kept in memory per instance (least recently used ones go). */
const INBOX_CACHE_BOARDS = 256;

export function readInbox(doc: Y.Doc): Map<string, InboxQuestion> {
  const out = new Map<string, InboxQuestion>();
  doc.getMap<unknown>('questions').forEach((v, id) => {
    if (!isSafeKey(id) || typeof v !== 'object' || v === null) return;
    const q = v as Partial<InboxQuestion>;
    if (typeof q.text !== 'string' || (q.status !== 'pending' && q.status !== 'hidden')) return;
    out.set(id, {
      id,
      text: q.text,
      authorId: typeof q.authorId === 'string' ? q.authorId : '',
      authorName: typeof q.authorName === 'string' ? q.authorName : '',
      itemId: typeof q.itemId === 'string' && isSafeKey(q.itemId) ? q.itemId : null,
      createdAt: isFiniteNumber(q.createdAt) ? q.createdAt : 0,
      status: q.status,
      pinned: q.pinned === true,
      voters: Array.isArray(q.voters) ? q.voters.filter((x): x is string => typeof x === 'string') : [],
      shownAs: q.shownAs === 'visible' || q.shownAs === 'answered' ? q.shownAs : 'pending',
    });
  });
  return out;
}

interface CachedInbox {
  doc: Y.Doc;
  /** Entries in the stored log (compaction). */
  entries: number;
  loadedAt: number;
}

export class InboxStore {
  /** Per board: inbox operations of this instance, one at a time. */
  private readonly queues = new Map<string, Promise<unknown>>();
  /** Inboxes loaded on this instance, least recently used first. */
  private readonly cache = new Map<string, CachedInbox>();

  /** `suffix`: the stored document is `<board>/<suffix>` (the Q&A's `qa-inbox`; polls keep their answers the same way). */
  constructor(
    private readonly store: DocStore,
    private readonly suffix = 'qa-inbox',
  ) {}

  /** Another instance changed this board's inbox: the next operation loads it again. */
  invalidate(boardId: string): void {
    const cached = this.cache.get(boardId);
    if (cached) cached.loadedAt = -Infinity;
  }

  /** The inbox as stored, from memory while fresh. */
  private async loaded(boardId: string): Promise<CachedInbox> {
    const cached = this.cache.get(boardId);
    this.cache.delete(boardId);
    if (cached && Date.now() - cached.loadedAt < INBOX_CACHE_MS) {
      this.cache.set(boardId, cached);
      return cached;
    }
    const { updates } = await this.store.load(`${boardId}/${this.suffix}`);
    const doc = new Y.Doc();
    Y.transact(doc, () => {
      for (const u of updates) Y.applyUpdate(doc, u);
    });
    // Real time, not the agenda's clock (which tests may stop or move).
    const fresh = { doc, entries: updates.length, loadedAt: Date.now() };
    this.cache.set(boardId, fresh);
    // Dropped, not destroyed: an operation on that board may still hold it (nothing observes it).
    for (const key of this.cache.keys()) {
      if (this.cache.size <= INBOX_CACHE_BOARDS) break;
      this.cache.delete(key);
    }
    return fresh;
  }

  /** Runs `fn` on the board's inbox; stores what it changed. */
  run<T>(boardId: string, fn: (doc: Y.Doc) => T): Promise<T> {
    const run = async (): Promise<T> => {
      const name = `${boardId}/${this.suffix}`;
      const inbox = await this.loaded(boardId);
      const { doc } = inbox;
      const changes: Uint8Array[] = [];
      const collect = (u: Uint8Array): void => void changes.push(u);
      doc.on('update', collect);
      let result: T;
      try {
        result = fn(doc);
      } catch (e) {
        if (changes.length > 0 && this.cache.get(boardId) === inbox) this.cache.delete(boardId);
        throw e;
      } finally {
        doc.off('update', collect);
      }
      if (changes.length > 0) {
        try {
          const seq = await this.store.append(name, [Y.mergeUpdates(changes)]);
          inbox.entries++;
          if (inbox.entries > INBOX_COMPACT_AFTER) {
            await this.store.compact(name, Y.encodeStateAsUpdate(doc), seq);
            inbox.entries = 1;
          }
        } catch (e) {
          // What was not stored must not be served: the next operation loads the stored inbox.
          if (this.cache.get(boardId) === inbox) this.cache.delete(boardId);
          throw e;
        }
      }
      return result;
    };
    const previous = this.queues.get(boardId) ?? Promise.resolve();
    const next = previous.then(run, run);
    const settled = next.catch(() => undefined);
    this.queues.set(boardId, settled);
    void settled.then(() => {
      if (this.queues.get(boardId) === settled) this.queues.delete(boardId);
    });
    return next;
  }

  /** The board's documents were unloaded here: its inbox need not stay in memory either. */
  forget(boardId: string): void {
    this.cache.delete(boardId);
  }

  /** Hidden questions beyond MAX_HIDDEN, oldest first, are deleted (inside an inbox operation). */
  static trimHidden(d: Y.Doc): void {
    const hidden = [...readInbox(d).values()]
      .filter((q) => q.status === 'hidden')
      .sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
    for (const q of hidden.slice(0, Math.max(0, hidden.length - MAX_HIDDEN))) {
      d.getMap('questions').delete(q.id);
      d.getMap('authors').delete(q.id);
    }
  }
}
