import { publishQuestion, readQuestions, setUpvote, type Question } from '../../shared/ops/questions';
import { newId, readAgenda, serverOrigin, type DocKind } from '../../shared/schema';
import { liveItemIdAt } from '../../shared/time/schedule';
import type { Logger } from '../log';
import type { DocStore } from '../persistence/store';
import type { DocAccess } from '../sync/doc-access';
import type { DocumentHooks } from '../sync/doc-hooks';
import { InboxStore, readInbox } from './inbox-store';
import {
  inboxView,
  publicView,
  QuestionError,
  type Asker,
  type AuthorAction,
  type ChangeListener,
  type InboxQuestion,
  type QuestionView,
} from './model';
import { Moderation } from './moderation';

export * from './model';
export { MAX_HIDDEN } from './inbox-store';

/**
 * Q&A per talk with moderation (issue 11, QA1–QA5).
 *
 * Public questions (`visible`, `answered`) are in the board document, written
 * by the server only: every client receives them like notes. Questions that
 * wait for approval (`pending`) and hidden ones (`hidden`) are kept in an
 * inbox that no client can open (server/questions/inbox-store.ts); moderation
 * is server/questions/moderation.ts; a change on another
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
const origin = serverOrigin('questions');

export class QuestionService {
  private readonly listeners = new Set<ChangeListener>();
  private readonly inboxes: InboxStore;
  private readonly moderation: Moderation;

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
    this.inboxes = new InboxStore(deps.store);
    this.moderation = new Moderation({
      inbox: this.inboxes,
      docs: deps.docs,
      publicQuestions: (boardId) => this.publicQuestions(boardId),
      changed: (boardId, authors) => this.changed(boardId, authors),
    });
  }

  /** Another instance changed this board's inbox: the next operation loads it again. */
  invalidate(boardId: string): void {
    this.inboxes.invalidate(boardId);
  }

  /** What the Q&A attaches to a board document: its inbox leaves memory with it. */
  documentHooks(boardId: string, kind: DocKind): DocumentHooks[] {
    return kind === 'board' ? [{ onUnload: () => this.inboxes.forget(boardId) }] : [];
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

  async moderated(boardId: string): Promise<boolean> {
    return this.inboxes.run(boardId, (d) => d.getMap('settings').get('moderated') === true);
  }

  /** QA2: the organizer's switch. Questions already waiting keep waiting. */
  async setModerated(boardId: string, on: boolean): Promise<void> {
    await this.inboxes.run(boardId, (d) => {
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
    const waiting = await this.inboxes.run(boardId, (d) => {
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
    const all = await this.inboxes.run(boardId, (d) => [...readInbox(d).values()]);
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
  decide(boardId: string, id: string, approve: boolean): Promise<QuestionView> {
    return this.moderation.decide(boardId, id, approve);
  }

  /** QA3: mark, pin, hide or show again (see `Moderation.mark`). */
  mark(
    boardId: string,
    id: string,
    change: { status?: 'visible' | 'answered' | 'hidden'; pinned?: boolean },
  ): Promise<QuestionView> {
    return this.moderation.mark(boardId, id, change);
  }

  /** QA7: the organizer deletes a question, public, waiting or hidden (404 when there is none). */
  remove(boardId: string, id: string): Promise<void> {
    return this.moderation.remove(boardId, id);
  }

  /** QA7: all questions of the person who asked `id` at once (see `Moderation.byAuthorOf`). */
  byAuthorOf(boardId: string, id: string, action: AuthorAction): Promise<{ count: number }> {
    return this.moderation.byAuthorOf(boardId, id, action);
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
