import { IndexeddbPersistence } from 'y-indexeddb';
import type * as Y from 'yjs';
import { SHARED_DOC_KINDS, type DocKind } from '$shared/schema';

/**
 * The board's documents kept in this browser (IndexedDB, via y-indexeddb), so
 * that what someone wrote without a network survives closing the tab: the
 * next visit shows it at once, even offline, and the sync that follows sends
 * the server what it lacks (its sync step 1 asks for it), merged with what the
 * others did meanwhile. Nothing is trusted for it: the server's rule gate
 * checks these changes like any other, and a refused document is replaced
 * here too (`replace`), so a refused change is not sent again at every visit.
 *
 * One database per board and shared document: `plenary:<boardId>:<doc>`. A
 * person's private notes (`mine`, PW1) are not kept: a browser may hold several
 * people of one board, and the server keeps them.
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
    const loads = SHARED_DOC_KINDS.map((kind) => this.#bind(kind, docs[kind]));
    await Promise.race([Promise.allSettled(loads), new Promise((r) => setTimeout(r, timeoutMs))]);
  }

  /**
   * The origin of changes this browser's copy put into a document. They are
   * not new local changes: what the server lacks of them its sync step 1 asks
   * for (counting them as pending made a viewer's or participant's reload
   * report them refused, issue 20).
   */
  isCopy(origin: unknown): boolean {
    return origin instanceof IndexeddbPersistence;
  }

  #bind(kind: DocKind, doc: Y.Doc): Promise<unknown> {
    const copy = new IndexeddbPersistence(OfflineCopies.dbName(this.#boardId, kind), doc);
    this.#copies.set(kind, copy);
    this.#guard(kind, doc, copy);
    return copy.whenSynced;
  }

  /**
   * Another tab of this browser replacing the same copy deletes its database,
   * which closes this tab's connection to it; y-indexeddb would then throw
   * "The database connection is closing" inside the document's update
   * handlers, and an exception there leaves Yjs with a transaction it never
   * cleans up: the document emits no update again (nothing sent, "Saved"
   * shown, issue 20). So the copy's writer never throws, and a closed
   * connection is replaced by a fresh copy of the document.
   */
  #guard(kind: DocKind, doc: Y.Doc, copy: IndexeddbPersistence): void {
    const write = copy._storeUpdate;
    doc.off('update', write);
    // y-indexeddb's destroy() takes the handler off by this property.
    copy._storeUpdate = (update: Uint8Array, origin: unknown): void => {
      try {
        write(update, origin);
      } catch {
        this.#rebind(kind, doc, copy);
      }
    };
    doc.on('update', copy._storeUpdate);
    void copy._db.then(
      (db) => {
        db.addEventListener('versionchange', () => this.#rebind(kind, doc, copy));
      },
      () => {},
    );
  }

  /** A copy whose database went away: a new one keeps the document from here on. */
  #rebind(kind: DocKind, doc: Y.Doc, dead: IndexeddbPersistence): void {
    if (this.#destroyed || this.#copies.get(kind) !== dead) return;
    this.#copies.delete(kind);
    void dead.destroy();
    // Let the deletion that closed it finish first (the open waits for it anyway).
    setTimeout(() => {
      if (!this.#destroyed && !this.#copies.has(kind) && !doc.isDestroyed) void this.#bind(kind, doc);
    }, 0);
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
