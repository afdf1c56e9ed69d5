import * as Y from 'yjs';
import {
  publishQuestion,
  readQuestions,
  setUpvote,
  markQuestion,
  unpublishQuestion,
  type PublicStatus,
  type Question,
  type QuestionStatus,
} from '../../shared/ops/questions';
import {
  boardQuestions,
  isFiniteNumber,
  isSafeKey,
  LIMITS,
  newId,
  readAgenda,
  serverOrigin,
} from '../../shared/schema';
import { liveItemIdAt } from '../../shared/time/schedule';
import type { Logger } from '../log';
import type { DocStore } from '../persistence/store';
import type { DocAccess } from '../sync/doc-access';

/**
 * Q&A per talk with moderation (issue 11, QA1–QA5).
 *
 * Public questions (`visible`, `answered`) are in the board document, written
 * by the server only: every client receives them like notes. Questions that
 * wait for approval (`pending`) and hidden ones (`hidden`) are kept in an
 * inbox that no client can open: a server-only Yjs document `<board>/qa-inbox`
 * in the same document store (not one of the documents a connection may
 * name, so no transport serves it). Each instance keeps the inbox it loaded in
 * memory for `INBOX_CACHE_MS` and appends each change to the store, so
 * instances sharing a database merge their changes; a change on another
 * instance arrives as a `questions` control message (`invalidate`), and
 * `onChange` listeners push the new waiting lists to the organizers and the
 * authors concerned (server/questions/push.ts), so no client polls.
 *
 * The inbox also keeps who asked each question (`authors`, also for public
 * ones), only so that an organizer can act on all of one person's questions
 * and the per-person bound holds; it is never sent to anyone, and a public
 * question carries no author id at all.
 */

/** QA6: public and waiting questions of a board by default (`MAX_QUESTIONS`; hidden and rejected ones do not count; organizers are never refused). */
export const MAX_QUESTIONS = 1000;
/** Questions one person may have waiting for approval at once (then 429). */
export const MAX_WAITING_PER_PERSON = 20;
/** QA6: public and waiting questions of one person on a board (then 429): a few people cannot fill the cap. */
export const MAX_QUESTIONS_PER_PERSON = 30;
/** Hidden questions kept per board; beyond, the oldest hidden ones are deleted. */
export const MAX_HIDDEN = 1000;
/** Compact the inbox's update log beyond this many entries. */
const INBOX_COMPACT_AFTER = 100;
/** How long an instance trusts the inbox it loaded (a change elsewhere also drops it at once, when relayed). */
const INBOX_CACHE_MS = 10_000;
/** Inboxes kept in memory per instance (least recently used ones go). */
const INBOX_CACHE_BOARDS = 256;

/** What an organizer may do to all questions of the person who asked one (QA7). */
export type AuthorAction = 'hide' | 'reject' | 'delete';

/** Who a change concerns: the organizers always, and these authors' own waiting lists. */
export type ChangeListener = (boardId: string, authors: readonly string[]) => void;

export interface InboxQuestion {
  id: string;
  text: string;
  /** Issued identity of the asker: only to show them their own waiting questions. */
  authorId: string;
  /** '' when anonymous. */
  authorName: string;
  itemId: string | null;
  createdAt: number;
  status: 'pending' | 'hidden';
  pinned: boolean;
  /** Kept while hidden, so that showing it again keeps its upvotes. */
  voters: string[];
  /** What it was before it was hidden (`pending` when it never was public). */
  shownAs: PublicStatus | 'pending';
}

/** A question as the API answers it (no author id). */
export interface QuestionView {
  id: string;
  text: string;
  authorName: string | null;
  itemId: string | null;
  createdAt: number;
  upvotes: number;
  status: QuestionStatus;
  pinned: boolean;
  /** Whether the person asking the API upvoted it. */
  upvoted?: boolean;
  /** Whether the person asking the API wrote it (their own waiting questions). */
  mine?: boolean;
}

export class QuestionError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface Asker {
  userId: string;
  name: string;
}

const inboxName = (boardId: string): string => `${boardId}/qa-inbox`;
const origin = serverOrigin('questions');

function readInbox(doc: Y.Doc): Map<string, InboxQuestion> {
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

export const publicView = (q: Question, viewer?: string): QuestionView => ({
  id: q.id,
  text: q.text,
  authorName: q.authorName === '' ? null : q.authorName,
  itemId: q.itemId,
  createdAt: q.createdAt,
  upvotes: q.voters.length,
  status: q.status,
  pinned: q.pinned,
  ...(viewer ? { upvoted: q.voters.includes(viewer) } : {}),
});

const inboxView = (q: InboxQuestion, viewer?: string): QuestionView => ({
  id: q.id,
  text: q.text,
  authorName: q.authorName === '' ? null : q.authorName,
  itemId: q.itemId,
  createdAt: q.createdAt,
  upvotes: q.voters.length,
  status: q.status,
  pinned: q.pinned,
  ...(viewer ? { mine: q.authorId === viewer } : {}),
});

interface CachedInbox {
  doc: Y.Doc;
  /** Entries in the stored log (compaction). */
  entries: number;
  loadedAt: number;
}

export class QuestionService {
  /** Per board: inbox operations of this instance, one at a time. */
  private readonly queues = new Map<string, Promise<unknown>>();
  /** Inboxes loaded on this instance, least recently used first. */
  private readonly cache = new Map<string, CachedInbox>();
  private readonly listeners = new Set<ChangeListener>();

  private readonly maxQuestions: number;

  constructor(
    private readonly deps: {
      store: DocStore;
      docs: DocAccess;
      log: Logger;
      now?: () => number;
      maxQuestions?: number;
    },
  ) {
    this.maxQuestions = deps.maxQuestions ?? MAX_QUESTIONS;
  }

  private now(): number {
    return (this.deps.now ?? Date.now)();
  }

  /** Called after every change of a board's questions on this instance. */
  onChange(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(boardId: string, authors: Iterable<string>): void {
    const list = [...new Set(authors)].filter((a) => a !== '');
    for (const l of this.listeners) {
      try {
        l(boardId, list);
      } catch (e) {
        this.deps.log.warn({ err: e, board: boardId }, 'questions: a change listener failed');
      }
    }
  }

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
    const { updates } = await this.deps.store.load(inboxName(boardId));
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
  private inbox<T>(boardId: string, fn: (doc: Y.Doc) => T): Promise<T> {
    const run = async (): Promise<T> => {
      const name = inboxName(boardId);
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
          const seq = await this.deps.store.append(name, [Y.mergeUpdates(changes)]);
          inbox.entries++;
          if (inbox.entries > INBOX_COMPACT_AFTER) {
            await this.deps.store.compact(name, Y.encodeStateAsUpdate(doc), seq);
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

  async moderated(boardId: string): Promise<boolean> {
    return this.inbox(boardId, (d) => d.getMap('settings').get('moderated') === true);
  }

  /** QA2: the organizer's switch. Questions already waiting keep waiting. */
  async setModerated(boardId: string, on: boolean): Promise<void> {
    await this.inbox(boardId, (d) => {
      const settings = d.getMap('settings');
      if (settings.get('moderated') !== on) settings.set('moderated', on);
    });
    this.changed(boardId, []);
  }

  private publicQuestions(boardId: string): Promise<Question[]> {
    return this.deps.docs.read(boardId, 'board', (d) => readQuestions(d));
  }

  /**
   * QA1: a question, tagged with the live item; waiting for approval while moderated.
   * QA6: public and waiting questions count toward the board's cap and the
   * asker's own bound, hidden ones do not; an organizer is never refused.
   */
  async ask(
    boardId: string,
    asker: Asker & { organizer?: boolean },
    input: { text: string; anonymous: boolean },
  ): Promise<QuestionView> {
    // The talk live now, pinned or by the clock (AG4), as notes written at the same moment are tagged.
    const itemId = await this.deps.docs.read(boardId, 'agenda', (d) =>
      liveItemIdAt(readAgenda(d), this.now()),
    );
    const publicIds = new Set((await this.publicQuestions(boardId)).map((q) => q.id));
    const id = newId();
    const base = {
      id,
      text: input.text,
      authorName: input.anonymous ? '' : asker.name,
      itemId,
      createdAt: this.now(),
      pinned: false,
      voters: [] as string[],
    };
    const waiting = await this.inbox(boardId, (d) => {
      const inbox = readInbox(d);
      const pending = [...inbox.values()].filter((x) => x.status === 'pending' && !publicIds.has(x.id));
      if (!asker.organizer) {
        if (pending.length + publicIds.size >= this.maxQuestions)
          throw new QuestionError(
            409,
            'board-full',
            `this board holds at most ${this.maxQuestions} questions; the organizer can hide or delete some`,
          );
        const authors = d.getMap<string>('authors');
        let own = 0;
        for (const qid of [...publicIds, ...pending.map((x) => x.id)])
          if (authors.get(qid) === asker.userId) own++;
        if (own >= MAX_QUESTIONS_PER_PERSON)
          throw new QuestionError(
            429,
            'too-many-questions',
            `you have ${MAX_QUESTIONS_PER_PERSON} questions on this board already`,
          );
      }
      const moderated = d.getMap('settings').get('moderated') === true;
      if (moderated && !asker.organizer) {
        const own = pending.filter((x) => x.authorId === asker.userId);
        if (own.length >= MAX_WAITING_PER_PERSON)
          throw new QuestionError(
            429,
            'too-many-questions',
            `you have ${MAX_WAITING_PER_PERSON} questions waiting for approval already`,
          );
      }
      d.transact(() => {
        d.getMap<string>('authors').set(id, asker.userId);
        if (moderated) {
          const q: InboxQuestion = { ...base, authorId: asker.userId, status: 'pending', shownAs: 'pending' };
          d.getMap('questions').set(id, q);
        }
      });
      return moderated;
    });
    if (waiting) {
      this.changed(boardId, [asker.userId]);
      return {
        ...inboxView({ ...base, authorId: asker.userId, status: 'pending', shownAs: 'pending' }),
        mine: true,
      };
    }
    const q: Question = { ...base, status: 'visible' };
    await this.deps.docs.change(boardId, 'board', 'questions', (d) => publishQuestion(d, q, origin));
    return publicView(q);
  }

  /**
   * QA2: what waits or is hidden. An organizer sees all of it (authors of
   * anonymous questions stay unnamed); anyone else only their own.
   */
  async inboxFor(
    boardId: string,
    viewer: { organizer: boolean; userId: string | null },
  ): Promise<QuestionView[]> {
    const all = await this.inbox(boardId, (d) => [...readInbox(d).values()]);
    const published = new Set((await this.publicQuestions(boardId)).map((q) => q.id));
    return all
      .filter((q) => !published.has(q.id))
      .filter(
        (q) =>
          viewer.organizer ||
          (viewer.userId !== null && q.authorId === viewer.userId && q.status === 'pending'),
      )
      .sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id))
      .map((q) => inboxView(q, viewer.userId ?? undefined));
  }

  /** QA2: approve a waiting question (it becomes public) or reject it (it is deleted). */
  async decide(boardId: string, id: string, approve: boolean): Promise<QuestionView> {
    const q = await this.inbox(boardId, (d) => readInbox(d).get(id) ?? null);
    if (!q || q.status !== 'pending') throw new QuestionError(404, 'not-found', 'no such waiting question');
    const view = inboxView(q);
    if (approve) {
      const pub: Question = { ...q, status: 'visible' };
      await this.deps.docs.change(boardId, 'board', 'questions', (d) => publishQuestion(d, pub, origin));
      view.status = 'visible';
    } else view.status = 'hidden';
    // Published first: a failure in between leaves a copy in the inbox that readers skip.
    await this.inbox(boardId, (d) =>
      d.transact(() => {
        d.getMap('questions').delete(id);
        if (!approve) d.getMap('authors').delete(id);
      }),
    );
    this.changed(boardId, [q.authorId]);
    return view;
  }

  /** Hidden questions beyond MAX_HIDDEN, oldest first, are deleted (inside an inbox operation). */
  private static trimHidden(d: Y.Doc): void {
    const hidden = [...readInbox(d).values()]
      .filter((q) => q.status === 'hidden')
      .sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
    for (const q of hidden.slice(0, Math.max(0, hidden.length - MAX_HIDDEN))) {
      d.getMap('questions').delete(q.id);
      d.getMap('authors').delete(q.id);
    }
  }

  /**
   * QA3: the organizer marks a question answered or visible, pins it, or hides
   * it (taken off the board into the inbox: hidden questions reach no one),
   * and shows a hidden one again.
   */
  async mark(
    boardId: string,
    id: string,
    change: { status?: 'visible' | 'answered' | 'hidden'; pinned?: boolean },
  ): Promise<QuestionView> {
    const current = (await this.publicQuestions(boardId)).find((q) => q.id === id) ?? null;
    if (current) {
      if (change.status === 'hidden') {
        const hidden: InboxQuestion = {
          ...current,
          authorId: '',
          status: 'hidden',
          pinned: change.pinned ?? current.pinned,
          shownAs: current.status,
        };
        await this.inbox(boardId, (d) =>
          d.transact(() => {
            d.getMap('questions').set(id, hidden);
            QuestionService.trimHidden(d);
          }),
        );
        await this.deps.docs.change(boardId, 'board', 'questions', (d) => unpublishQuestion(d, id, origin));
        this.changed(boardId, []);
        return inboxView(hidden);
      }
      const status = change.status ?? current.status;
      const pinned = change.pinned ?? current.pinned;
      await this.deps.docs.change(boardId, 'board', 'questions', (d) => {
        markQuestion(d, id, { status, pinned }, origin);
      });
      return publicView({ ...current, status, pinned });
    }
    const hidden = await this.inbox(boardId, (d) => readInbox(d).get(id) ?? null);
    if (!hidden || hidden.status !== 'hidden') throw new QuestionError(404, 'not-found', 'no such question');
    if (change.status === undefined || change.status === 'hidden') {
      const pinned = change.pinned ?? hidden.pinned;
      await this.inbox(boardId, (d) => d.getMap('questions').set(id, { ...hidden, pinned }));
      this.changed(boardId, []);
      return inboxView({ ...hidden, pinned });
    }
    const shown: Question = { ...hidden, status: change.status, pinned: change.pinned ?? hidden.pinned };
    await this.deps.docs.change(boardId, 'board', 'questions', (d) => publishQuestion(d, shown, origin));
    await this.inbox(boardId, (d) => d.getMap('questions').delete(id));
    this.changed(boardId, []);
    return publicView(shown);
  }

  /** QA7: the organizer deletes a question, public, waiting or hidden (404 when there is none). */
  async remove(boardId: string, id: string): Promise<void> {
    const removed = await this.removeMany(boardId, [id]);
    if (removed === 0) throw new QuestionError(404, 'not-found', 'no such question');
  }

  /** Deletes questions wherever they are; returns how many there were. */
  private async removeMany(boardId: string, ids: readonly string[]): Promise<number> {
    const wanted = new Set(ids);
    const removed = new Set<string>();
    await this.deps.docs.change(boardId, 'board', 'questions', (d) => {
      d.transact(() => {
        for (const id of wanted)
          if (boardQuestions(d).has(id)) {
            boardQuestions(d).delete(id);
            removed.add(id);
          }
      }, origin);
    });
    const authors: string[] = [];
    await this.inbox(boardId, (d) => {
      const inbox = readInbox(d);
      d.transact(() => {
        for (const id of wanted) {
          const q = inbox.get(id);
          if (q) {
            authors.push(q.authorId);
            d.getMap('questions').delete(id);
            removed.add(id);
          }
          if (d.getMap('authors').has(id)) d.getMap('authors').delete(id);
        }
      });
    });
    this.changed(boardId, authors);
    return removed.size;
  }

  /**
   * QA7: all questions of the person who asked `id`, at once: `hide` takes the
   * public and waiting ones off into the hidden list, `reject` deletes the
   * waiting ones, `delete` deletes every one. Returns how many were changed;
   * 404 when the question's author is not known.
   */
  async byAuthorOf(boardId: string, id: string, action: AuthorAction): Promise<{ count: number }> {
    const found = await this.inbox(boardId, (d) => {
      const author = d.getMap<string>('authors').get(id);
      if (typeof author !== 'string' || author === '') return null;
      const ids: string[] = [];
      d.getMap<string>('authors').forEach((a, qid) => {
        if (a === author) ids.push(qid);
      });
      return { author, ids, inbox: readInbox(d) };
    });
    if (!found) throw new QuestionError(404, 'not-found', 'no such question, or its author is not known');
    const { author, ids, inbox } = found;
    const onBoard = (await this.publicQuestions(boardId)).filter((q) => ids.includes(q.id));
    if (action === 'delete') return { count: await this.removeMany(boardId, ids) };
    const waiting = ids
      .map((qid) => inbox.get(qid))
      .filter((q): q is InboxQuestion => q?.status === 'pending' && !onBoard.some((p) => p.id === q.id));
    if (action === 'reject') {
      await this.inbox(boardId, (d) =>
        d.transact(() => {
          for (const q of waiting) {
            d.getMap('questions').delete(q.id);
            d.getMap('authors').delete(q.id);
          }
        }),
      );
      this.changed(boardId, [author]);
      return { count: waiting.length };
    }
    // Hidden first, then taken off the board: a failure in between leaves a copy readers skip.
    await this.inbox(boardId, (d) =>
      d.transact(() => {
        const questions = d.getMap('questions');
        for (const q of onBoard)
          questions.set(q.id, {
            ...q,
            authorId: '',
            status: 'hidden',
            shownAs: q.status,
          } satisfies InboxQuestion);
        for (const q of waiting)
          questions.set(q.id, { ...q, authorId: '', status: 'hidden' } satisfies InboxQuestion);
        QuestionService.trimHidden(d);
      }),
    );
    if (onBoard.length > 0)
      await this.deps.docs.change(boardId, 'board', 'questions', (d) => {
        d.transact(() => {
          for (const q of onBoard) boardQuestions(d).delete(q.id);
        }, origin);
      });
    this.changed(boardId, [author]);
    return { count: onBoard.length + waiting.length };
  }

  /** QA4: one upvote per person per public question (set or taken back); the server writes it. */
  async upvote(boardId: string, id: string, voterId: string, on: boolean): Promise<QuestionView> {
    let found = false;
    await this.deps.docs.change(boardId, 'board', 'questions', (d) => {
      found = setUpvote(d, id, voterId, on, origin);
    });
    if (!found) throw new QuestionError(404, 'not-found', 'no such question on the board');
    const q = (await this.publicQuestions(boardId)).find((x) => x.id === id);
    if (!q) throw new QuestionError(404, 'not-found', 'no such question on the board');
    return publicView(q, voterId);
  }

  /** Public questions in the order clients show them, with `upvoted` for `viewer`. */
  async publicFor(boardId: string, viewer?: string): Promise<QuestionView[]> {
    return (await this.publicQuestions(boardId)).map((q) => publicView(q, viewer));
  }

  /** Ids of the questions public now (QA8: history shows no other). */
  async publicIds(boardId: string): Promise<Set<string>> {
    return new Set((await this.publicQuestions(boardId)).map((q) => q.id));
  }

  /** QA5: every question for the exports: public ones, and for organizers the inbox too. */
  async forExport(boardId: string, organizer: boolean): Promise<QuestionView[]> {
    const pub = (await this.publicQuestions(boardId)).map((q) => publicView(q));
    if (!organizer) return pub;
    const inbox = await this.inboxFor(boardId, { organizer: true, userId: null });
    return [...pub, ...inbox];
  }
}

/** Validates a question's text: plain, at most 500 characters, not empty. */
export function questionText(v: unknown): string {
  if (typeof v !== 'string') throw new QuestionError(400, 'bad-request', '"text" must be a string');
  // eslint-disable-next-line no-control-regex
  const text = v.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '').trim();
  if (text === '') throw new QuestionError(400, 'bad-request', 'a question needs some text');
  if (text.length > LIMITS.questionLength)
    throw new QuestionError(
      400,
      'bad-request',
      `a question is limited to ${LIMITS.questionLength} characters`,
    );
  return text;
}
