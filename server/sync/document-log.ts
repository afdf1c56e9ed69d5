import * as Y from 'yjs';
import { PERSISTENCE_ORIGIN, serverOrigin, type DocKind } from '../../shared/schema';
import type { Logger } from '../log';
import type { DocStore } from '../persistence/store';
import { auditDocument } from './gate/audit';

/**
 * A room's stored update log: loading it into the document, appending what
 * each flush accepted, compacting it (rule S3), and the document's stored size
 * for the gate (G5).
 */
export class DocumentLog {
  private lastSeq = 0;
  private storedEntries = 0;
  private compacting = false;
  /** Stored size of the document (its state at load or compaction plus what was accepted since): G5. */
  docBytes = 0;

  constructor(
    private readonly opts: {
      name: string;
      kind: DocKind;
      store: DocStore;
      log: Logger;
      compactAfterUpdates: number;
    },
  ) {}

  /** Reads the stored log into `doc`. Throws when the store fails. */
  async load(doc: Y.Doc): Promise<void> {
    const { updates, lastSeq } = await this.opts.store.load(this.opts.name);
    this.applyStored(doc, updates);
    this.lastSeq = lastSeq;
    this.storedEntries = updates.length;
    this.docBytes = Y.encodeStateAsUpdate(doc).byteLength;
  }

  /**
   * Documents stored before the rule gate existed may hold what it now refuses
   * (G6): each stored entry is applied on its own, whatever would stay pending
   * is dropped, and entries outside the schema are removed (and logged), so the
   * document loads and is served without them.
   */
  private applyStored(doc: Y.Doc, updates: Uint8Array[]): void {
    const { log, kind, name } = this.opts;
    // One transaction, as before the gate: observers run once, whatever the log's length.
    Y.transact(
      doc,
      () => {
        for (const [i, u] of updates.entries()) {
          try {
            Y.applyUpdate(doc, u, PERSISTENCE_ORIGIN);
          } catch (e) {
            log.error({ err: e, doc: name, entry: i }, 'a stored update could not be applied; skipped');
          }
          this.dropPending(doc, `stored entry ${i}`);
        }
      },
      PERSISTENCE_ORIGIN,
    );
    const problems = auditDocument(kind, doc, serverOrigin('audit'));
    if (problems.length > 0)
      log.warn(
        { doc: name, problems: problems.slice(0, 20), count: problems.length },
        'removed content that breaks the schema',
      );
  }

  /** Structs whose dependencies never arrived are not kept (rule G4): they only cost memory. */
  dropPending(doc: Y.Doc, where: string): void {
    const store = doc.store;
    if (store.pendingStructs === null && store.pendingDs === null) return;
    this.opts.log.warn({ doc: this.opts.name, where }, 'dropped structs with missing dependencies');
    store.pendingStructs = null;
    store.pendingDs = null;
  }

  /** Stores one flush's updates; throws when the store fails. */
  async append(updates: Uint8Array[]): Promise<void> {
    this.lastSeq = await this.opts.store.append(this.opts.name, updates);
    this.storedEntries += updates.length;
  }

  get wantsCompaction(): boolean {
    return this.storedEntries >= this.opts.compactAfterUpdates;
  }

  /** Replace the stored log by one state update. Content is unchanged (rule S3). */
  async compact(doc: Y.Doc): Promise<void> {
    if (this.compacting) return;
    this.compacting = true;
    try {
      // Everything stored up to lastSeq is in the document; later unstored changes
      // may be too, which is harmless: they are stored again when their turn comes.
      const throughSeq = this.lastSeq;
      const state = Y.encodeStateAsUpdate(doc);
      // The stored size is now this state (G5): overwritten values no longer count.
      this.docBytes = state.byteLength;
      await this.opts.store.compact(this.opts.name, state, throughSeq);
      this.storedEntries = await this.opts.store.count(this.opts.name);
    } catch (e) {
      this.opts.log.error({ err: e, doc: this.opts.name }, 'compaction failed');
    } finally {
      this.compacting = false;
    }
  }
}
