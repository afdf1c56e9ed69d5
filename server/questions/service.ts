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
import { isFiniteNumber, isSafeKey, LIMITS, newId, readAgenda, serverOrigin } from '../../shared/schema';
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
 * name, so no transport serves it). Each operation reloads it from the store
 * and appends its change, so instances sharing a database see the same inbox
 * and concurrent changes merge. The author of an anonymous question is kept
 * only to show them their own waiting questions; it is never sent to anyone
 * else, and a public question carries no author id at all.
 */

export const MAX_QUESTIONS = 1000;
/** Questions one person may have waiting for approval at once (then 429). */
export const MAX_WAITING_PER_PERSON = 20;
/** Compact the inbox's update log beyond this many entries. */
const INBOX_COMPACT_AFTER = 100;

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

export class QuestionService {
  /** Per board: inbox operations of this instance, one at a time. */
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(private readonly deps: { store: DocStore; docs: DocAccess; log: Logger; now?: () => number }) {}

  private now(): number {
    return (this.deps.now ?? Date.now)();
  }

  /** Runs `fn` on the freshly loaded inbox; stores what it changed. */
  private inbox<T>(boardId: string, fn: (doc: Y.Doc) => T): Promise<T> {
    const run = async (): Promise<T> => {
      const name = inboxName(boardId);
      const { updates } = await this.deps.store.load(name);
      const doc = new Y.Doc();
      try {
        Y.transact(doc, () => {
          for (const u of updates) Y.applyUpdate(doc, u);
        });
        const changes: Uint8Array[] = [];
        doc.on('update', (u: Uint8Array) => changes.push(u));
        const result = fn(doc);
        if (changes.length > 0) {
          const seq = await this.deps.store.append(name, [Y.mergeUpdates(changes)]);
          if (updates.length + 1 > INBOX_COMPACT_AFTER)
            await this.deps.store.compact(name, Y.encodeStateAsUpdate(doc), seq);
        }
        return result;
      } finally {
        doc.destroy();
      }
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
  }

  private publicQuestions(boardId: string): Promise<Question[]> {
    return this.deps.docs.read(boardId, 'board', (d) => readQuestions(d));
  }

  /** QA1: a question, tagged with the live item; waiting for approval while moderated. */
  async ask(
    boardId: string,
    asker: Asker,
    input: { text: string; anonymous: boolean },
  ): Promise<QuestionView> {
    // The talk live now, pinned or by the clock (AG4), as notes written at the same moment are tagged.
    const itemId = await this.deps.docs.read(boardId, 'agenda', (d) =>
      liveItemIdAt(readAgenda(d), this.now()),
    );
    const publicCount = (await this.publicQuestions(boardId)).length;
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
      const questions = d.getMap('questions');
      if (questions.size + publicCount >= MAX_QUESTIONS)
        throw new QuestionError(409, 'board-full', `this board holds at most ${MAX_QUESTIONS} questions`);
      if (d.getMap('settings').get('moderated') !== true) return false;
      const own = [...readInbox(d).values()].filter(
        (x) => x.status === 'pending' && x.authorId === asker.userId,
      );
      if (own.length >= MAX_WAITING_PER_PERSON)
        throw new QuestionError(
          429,
          'too-many-questions',
          `you have ${MAX_WAITING_PER_PERSON} questions waiting for approval already`,
        );
      const q: InboxQuestion = { ...base, authorId: asker.userId, status: 'pending', shownAs: 'pending' };
      questions.set(id, q);
      return true;
    });
    if (waiting)
      return {
        ...inboxView({ ...base, authorId: asker.userId, status: 'pending', shownAs: 'pending' }),
        mine: true,
      };
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
    await this.inbox(boardId, (d) => d.getMap('questions').delete(id));
    return view;
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
        await this.inbox(boardId, (d) => d.getMap('questions').set(id, hidden));
        await this.deps.docs.change(boardId, 'board', 'questions', (d) => unpublishQuestion(d, id, origin));
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
      return inboxView({ ...hidden, pinned });
    }
    const shown: Question = { ...hidden, status: change.status, pinned: change.pinned ?? hidden.pinned };
    await this.deps.docs.change(boardId, 'board', 'questions', (d) => publishQuestion(d, shown, origin));
    await this.inbox(boardId, (d) => d.getMap('questions').delete(id));
    return publicView(shown);
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
