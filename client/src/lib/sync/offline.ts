import { IndexeddbPersistence } from 'y-indexeddb';
import type * as Y from 'yjs';
import { DOC_KINDS, type DocKind } from '../../../../shared/schema';

/**
 * The board's documents kept in this browser (IndexedDB, via y-indexeddb), so
 * that what someone wrote without a network survives closing the tab: the
 * next visit shows it at once, even offline, and the sync that follows sends
 * the server what it lacks (its sync step 1 asks for it), merged with what the
 * others did meanwhile. Nothing is trusted for it: the server's rule gate
 * checks these changes like any other, and a refused document is replaced
 * here too (`replace`), so a refused change is not sent again at every visit.
 *
 * One database per board and document: `plenary:<boardId>:<doc>`.
 */
export class OfflineCopies {
  readonly #boardId: string;
  readonly #copies = new Map<DocKind, IndexeddbPersistence>();
  #destroyed = false;

  constructor(boardId: string) {
    this.#boardId = boardId;
  }

  /** IndexedDB exists here (browsers; not Node tests without it). */
  static available(): boolean {
    return typeof indexedDB !== 'undefined';
  }

  static dbName(boardId: string, kind: DocKind): string {
    return `plenary:${boardId}:${kind}`;
  }

  /**
   * Keeps each document in the browser; resolves once what was kept is in
   * the documents (or after `timeoutMs`: a broken IndexedDB never blocks the board).
   */
  async attach(docs: Readonly<Record<DocKind, Y.Doc>>, timeoutMs = 2000): Promise<void> {
    const loads = DOC_KINDS.map((kind) => this.#bind(kind, docs[kind]));
    await Promise.race([Promise.allSettled(loads), new Promise((r) => setTimeout(r, timeoutMs))]);
  }

  #bind(kind: DocKind, doc: Y.Doc): Promise<unknown> {
    const copy = new IndexeddbPersistence(OfflineCopies.dbName(this.#boardId, kind), doc);
    this.#copies.set(kind, copy);
    return copy.whenSynced;
  }

  /**
   * A document was replaced by the server's state (a refused change): forget
   * what this browser kept of the old one and keep the new one instead.
   */
  async replace(kind: DocKind, doc: Y.Doc): Promise<void> {
    const old = this.#copies.get(kind);
    this.#copies.delete(kind);
    if (old) await old.clearData().catch(() => {});
    if (this.#destroyed) return;
    await this.#bind(kind, doc);
  }

  /** The board is gone for this person (deleted, removed): nothing of it stays in the browser. */
  async forget(): Promise<void> {
    const copies = [...this.#copies.values()];
    this.#copies.clear();
    this.#destroyed = true;
    await Promise.all(copies.map((c) => c.clearData().catch(() => {})));
  }

  destroy(): void {
    this.#destroyed = true;
    for (const c of this.#copies.values()) void c.destroy();
    this.#copies.clear();
  }
}

/** Registers the service worker that keeps the app shell for offline visits (client/public/sw.js). */
export function registerOfflineShell(): void {
  if (typeof navigator === 'undefined' || !('serviceWorker' in navigator)) return;
  // Only where service workers are allowed (https, or localhost while developing).
  if (!globalThis.isSecureContext) return;
  navigator.serviceWorker.register('/sw.js').catch((e: unknown) => {
    console.warn('plenary: offline shell not available', e);
  });
}
