import { createHash } from 'node:crypto';
import * as Y from 'yjs';
import {
  isSafeKey,
  newId,
  readAgenda,
  readGroups,
  readNotes,
  readRoster,
  readTasks,
  ROOTS,
  type DocKind,
  type ProblemSink,
} from '../../shared/schema';
import { readQuestions } from '../../shared/ops/questions';
import type { ExportContent } from '../export';
import { publicView } from '../questions/service';
import type { Logger } from '../log';
import type {
  BoardStore,
  DocStore,
  SnapshotKind,
  SnapshotMeta,
  SnapshotRetention,
  SnapshotStore,
} from '../persistence/store';
import type { DocAccess } from '../sync/doc-access';
import type { DocumentHooks } from '../sync/doc-hooks';
import { liveItemIdAt } from '../../shared/time/schedule';
import { LiveFollower } from './live-follower';
import type { HeavyWork } from '../work/pool';
import { storedUpdates } from '../work/stored';
import type { DocStates } from '../work/tasks';
import { syncMap } from './restore';

/**
 * History per talk (issue 11, HS1–HS4). The server keeps a snapshot of a
 * board (its three documents' states) whenever a live agenda item ends
 * (pinned by the organizer or live by the clock), labelled with that item,
 * and whenever an organizer asks.
 * A snapshot can be exported as it was, and restored: the changes that turn
 * the current board and tasks into the snapshot's are computed and applied
 * as one server change per document, so they are stored and broadcast like
 * any other change (HS4).
 *
 * Live-item changes are seen on the agenda document itself: history attaches
 * an `onLoad` document hook to each agenda (`documentHooks`), and once it is
 * loaded a `LiveFollower` sees every change of its live item, by an agenda
 * change (with its origin) or by the clock. A change relayed from another
 * instance is snapshotted there (it stored it), not again here.
 */

/** HS3: a board keeps at most 50 snapshots and 64 MiB of them (oldest automatic ones dropped first). */
export const DEFAULT_RETENTION: SnapshotRetention = { maxCount: 50, maxBytes: 64 * 1024 * 1024 };
export const LABEL_LENGTH = 120;

export interface HistoryDeps {
  store: SnapshotStore & Pick<BoardStore, 'getBoard'>;
  log: Logger;
  /** The heavy-work pool (HV1): snapshots and restore plans are computed there; absent, on this thread. */
  work?: HeavyWork;
  /** The store the rooms write to, whose stored updates the pool reads (with `work`). */
  docStore?: Pick<DocStore, 'load'>;
  retention?: SnapshotRetention;
  now?: () => number;
}

/** A snapshot's content, decoded. */
export interface SnapshotDocs {
  agenda: Y.Doc;
  board: Y.Doc;
  tasks: Y.Doc;
}

/** What "the same state" means for dedupe: the board's notes and groups and the tasks, as read. */
export function contentHash(board: Y.Doc, tasks: Y.Doc): string {
  const content = stableJson({
    notes: readNotes(board),
    groups: readGroups(board),
    tasks: readTasks(tasks),
  });
  return createHash('sha256').update(content).digest('hex');
}

/** JSON with object keys sorted, so that equal content hashes alike whatever order maps were written in. */
function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (v !== null && typeof v === 'object')
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(v) ?? 'null';
}

export class BoardHistory {
  private docs: DocAccess | null = null;
  /** Agenda documents whose live map we observe (a reloaded agenda is a new document). */
  private readonly observed = new WeakSet<Y.Doc>();
  /** Per board: snapshots after talks, one at a time and in order. */
  private readonly queue = new Map<string, Promise<void>>();
  private readonly retention: SnapshotRetention;
  private readonly now: () => number;

  constructor(private readonly deps: HistoryDeps) {
    this.retention = deps.retention ?? DEFAULT_RETENTION;
    this.now = deps.now ?? Date.now;
  }

  /** The rooms, once they exist (they are built with the watched store). */
  attach(docs: DocAccess): void {
    this.docs = docs;
  }

  /** What history attaches to a loaded document: an agenda's live item is followed (HS1). */
  documentHooks(boardId: string, kind: DocKind): DocumentHooks[] {
    return kind === 'agenda' ? [{ onLoad: (room) => this.observe(boardId, room.doc) }] : [];
  }

  private observe(boardId: string, doc: Y.Doc): void {
    if (this.observed.has(doc)) return;
    this.observed.add(doc);
    new LiveFollower(doc, this.now, ({ itemId, title, origin }) => {
      // A change relayed from another instance is snapshotted there (it stored it); one loaded
      // from storage is no change. The clock (null) ends a talk on every instance holding the
      // agenda: the store keeps one of equal talk snapshots (HS3).
      const kind = (origin as { kind?: unknown } | null)?.kind;
      if (kind === 'relay' || kind === 'persistence') return;
      this.enqueue(boardId, itemId, title);
    });
  }

  /** HS1: keep the board as the ended item left it (after the change's transaction). */
  private enqueue(boardId: string, ended: string, title: string | undefined): void {
    const previous = this.queue.get(boardId) ?? Promise.resolve();
    const next = previous
      .then(async () => {
        await this.take(boardId, {
          kind: 'talk',
          itemId: ended,
          label: title ? `After ${title}` : 'After a talk that is no longer on the agenda',
        });
      })
      .catch((e: unknown) =>
        this.deps.log.warn({ err: e, board: boardId }, 'history: snapshot after a talk failed'),
      )
      .finally(() => {
        if (this.queue.get(boardId) === next) this.queue.delete(boardId);
      });
    this.queue.set(boardId, next);
  }

  /** Takes a snapshot now (HS1, HS2); an unchanged board returns the newest snapshot instead. */
  async take(
    boardId: string,
    opts: { kind: SnapshotKind; label: string; itemId?: string | null },
  ): Promise<{ snapshot: SnapshotMeta; created: boolean }> {
    const { agenda, board, tasks, hash, live } = await this.contentNow(boardId);
    const itemId = opts.itemId === undefined ? live : opts.itemId;
    return this.deps.store.addSnapshot(
      {
        id: newId(),
        boardId,
        label: opts.label.slice(0, LABEL_LENGTH),
        itemId: itemId !== null && isSafeKey(itemId) ? itemId : null,
        kind: opts.kind,
        createdAt: this.now(),
        contentHash: hash,
        bytes: agenda.byteLength + board.byteLength + tasks.byteLength,
        agenda,
        board,
        tasks,
      },
      this.retention,
    );
  }

  /**
   * The board's three documents as states to keep, their content hash and the
   * live item. With the worker pool (HV1) the worker builds them from the
   * stored updates (after everything applied so far is stored); encoding a
   * full board here would hold the event loop for up to a second.
   */
  private async contentNow(boardId: string): Promise<{
    agenda: Uint8Array;
    board: Uint8Array;
    tasks: Uint8Array;
    hash: string;
    live: string | null;
  }> {
    const docs = this.requireDocs();
    const { work, docStore } = this.deps;
    if (work && docStore) {
      const { updates } = await storedUpdates(docs, docStore, boardId, ['agenda', 'board', 'tasks']);
      const result = await work.run({
        kind: 'snapshot',
        states: { agenda: updates[0]!, board: updates[1]!, tasks: updates[2]! },
        now: this.now(),
      });
      if (!('hash' in result)) throw new Error('the snapshot worker answered something else');
      return result;
    }
    const [agenda, board, tasks] = await Promise.all([
      docs.read(boardId, 'agenda', (d) => ({
        state: Y.encodeStateAsUpdate(d),
        live: liveItemIdAt(readAgenda(d), this.now()),
      })),
      docs.read(boardId, 'board', (d) => Y.encodeStateAsUpdate(d)),
      docs.read(boardId, 'tasks', (d) => Y.encodeStateAsUpdate(d)),
    ]);
    // Hash what was encoded (decoded copies: the live documents may have moved on meanwhile).
    const copies = decode({ agenda: agenda.state, board, tasks });
    try {
      return {
        agenda: agenda.state,
        board,
        tasks,
        hash: contentHash(copies.board, copies.tasks),
        live: agenda.live,
      };
    } finally {
      destroy(copies);
    }
  }

  /**
   * A snapshot's stored states and the board's title (for the worker's exports), or null; with the
   * questions public now (QA8: no snapshot shows a question hidden, waiting or deleted since).
   */
  async stored(
    boardId: string,
    id: string,
  ): Promise<{ states: DocStates; title: string; publicNow: string[] } | null> {
    const [record, row] = await Promise.all([
      this.deps.store.getSnapshot(boardId, id),
      this.deps.store.getBoard(boardId),
    ]);
    if (!record || !row) return null;
    return {
      publicNow: await this.publicQuestionIds(boardId),
      states: { agenda: [record.agenda], board: [record.board], tasks: [record.tasks] },
      title: row.title,
    };
  }

  /** The ids of the board's public questions now (the live board document holds only public ones). */
  publicQuestionIds(boardId: string): Promise<string[]> {
    return this.requireDocs().read(boardId, 'board', (d) => readQuestions(d).map((q) => q.id));
  }

  list(boardId: string): Promise<SnapshotMeta[]> {
    return this.deps.store.listSnapshots(boardId);
  }

  /** The content of a snapshot as the exports read it (HS2), or null when there is no such snapshot. */
  async content(boardId: string, id: string, onProblem?: ProblemSink): Promise<ExportContent | null> {
    const [record, row] = await Promise.all([
      this.deps.store.getSnapshot(boardId, id),
      this.deps.store.getBoard(boardId),
    ]);
    if (!record || !row) return null;
    // QA8: a question hidden, waiting or deleted now is not shown by any snapshot, whatever it was then.
    const publicNow = new Set(await this.publicQuestionIds(boardId));
    const docs = decode(record);
    try {
      return {
        board: { id: row.id, title: row.title },
        agenda: readAgenda(docs.agenda, onProblem),
        notes: readNotes(docs.board, onProblem),
        roster: readRoster(docs.board, onProblem),
        groups: readGroups(docs.board, onProblem),
        tasks: readTasks(docs.tasks, onProblem),
        questions: readQuestions(docs.board, onProblem)
          .filter((q) => publicNow.has(q.id))
          .map((q) => publicView(q)),
      };
    } finally {
      destroy(docs);
    }
  }

  /**
   * HS4: brings the board's notes and groups and the tasks back to a snapshot,
   * as one server change per document (stored, then sent to everyone). The
   * state before is kept as a snapshot first (kind `restore`), so a restore
   * can itself be undone. The roster and the agenda are left as they are.
   */
  async restore(boardId: string, id: string): Promise<SnapshotMeta | null> {
    const record = await this.deps.store.getSnapshot(boardId, id);
    if (!record) return null;
    const docs = this.requireDocs();
    await this.take(boardId, { kind: 'restore', label: `Before restoring “${record.label}”` });
    if (this.deps.work && this.deps.docStore)
      await this.restoreInSteps(boardId, record, docs, this.deps.work, this.deps.docStore);
    else {
      const source = decode(record);
      try {
        await docs.change(boardId, 'board', 'restore', (doc) => {
          syncMap(doc.getMap(ROOTS.board.notes), source.board.getMap(ROOTS.board.notes));
          syncMap(doc.getMap(ROOTS.board.groups), source.board.getMap(ROOTS.board.groups));
        });
        await docs.change(boardId, 'tasks', 'restore', (doc) => {
          syncMap(doc.getMap(ROOTS.tasks.tasks), source.tasks.getMap(ROOTS.tasks.tasks));
        });
      } finally {
        destroy(source);
      }
    }
    const { agenda: _a, board: _b, tasks: _t, ...meta } = record;
    return meta;
  }

  /**
   * HS4 off the live path (HV1): the worker diffs the current states against
   * the snapshot's and returns the changes in steps of RESTORE_STEP entries;
   * each step is one server change (stored, then sent), with the event loop
   * free between steps, so a big board's restore never stalls other boards.
   */
  private async restoreInSteps(
    boardId: string,
    record: { board: Uint8Array; tasks: Uint8Array },
    docs: DocAccess,
    work: HeavyWork,
    docStore: Pick<DocStore, 'load'>,
  ): Promise<void> {
    const { updates } = await storedUpdates(docs, docStore, boardId, ['board', 'tasks']);
    const plan = await work.run({
      kind: 'restore',
      current: { board: updates[0]!, tasks: updates[1]! },
      source: { board: [record.board], tasks: [record.tasks] },
    });
    if (!('tasks' in plan) || !('board' in plan) || 'hash' in plan)
      throw new Error('the restore worker answered something else');
    for (const [kind, steps] of [
      ['board', plan.board],
      ['tasks', plan.tasks],
    ] as const)
      for (const step of steps) {
        await docs.change(boardId, kind, 'restore', (doc) => Y.applyUpdate(doc, step));
        await new Promise((resolve) => setImmediate(resolve));
      }
  }

  private requireDocs(): DocAccess {
    if (!this.docs) throw new Error('history: no documents attached');
    return this.docs;
  }
}

function decode(states: { agenda: Uint8Array; board: Uint8Array; tasks: Uint8Array }): SnapshotDocs {
  const out = { agenda: new Y.Doc(), board: new Y.Doc(), tasks: new Y.Doc() };
  Y.applyUpdate(out.agenda, states.agenda);
  Y.applyUpdate(out.board, states.board);
  Y.applyUpdate(out.tasks, states.tasks);
  return out;
}

function destroy(docs: SnapshotDocs): void {
  docs.agenda.destroy();
  docs.board.destroy();
  docs.tasks.destroy();
}
