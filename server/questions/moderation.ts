import { markQuestion, publishQuestion, unpublishQuestion, type Question } from '../../shared/ops/questions';
import { boardQuestions, serverOrigin } from '../../shared/schema';
import type { DocAccess } from '../sync/doc-access';
import { InboxStore, readInbox } from './inbox-store';
import {
  inboxView,
  publicView,
  QuestionError,
  type AuthorAction,
  type InboxQuestion,
  type QuestionView,
} from './model';

const origin = serverOrigin('questions');

/** What moderation works on: the inbox, the board's public questions, and who to tell. */
export interface ModerationContext {
  inbox: InboxStore;
  docs: DocAccess;
  publicQuestions(boardId: string): Promise<Question[]>;
  /** A change that concerns the organizers and these authors (their waiting lists are pushed). */
  changed(boardId: string, authors: Iterable<string>): void;
}

/**
 * The organizer's moderation of a board's questions (QA2, QA3, QA7):
 * approving or rejecting waiting ones, marking, pinning, hiding and showing
 * again, deleting one or all of one person's. Public questions live in the
 * board document, the rest in the inbox; each step is ordered so that a
 * failure in between leaves a copy that readers skip.
 */
export class Moderation {
  constructor(private readonly ctx: ModerationContext) {}

  /** QA2: approve a waiting question (it becomes public) or reject it (it is deleted). */
  async decide(boardId: string, id: string, approve: boolean): Promise<QuestionView> {
    const q = await this.ctx.inbox.run(boardId, (d) => readInbox(d).get(id) ?? null);
    if (!q || q.status !== 'pending') throw new QuestionError(404, 'not-found', 'no such waiting question');
    const view = inboxView(q);
    if (approve) {
      const pub: Question = { ...q, status: 'visible' };
      await this.ctx.docs.change(boardId, 'board', 'questions', (d) => publishQuestion(d, pub, origin));
      view.status = 'visible';
    } else view.status = 'hidden';
    // Published first: a failure in between leaves a copy in the inbox that readers skip.
    await this.ctx.inbox.run(boardId, (d) =>
      d.transact(() => {
        d.getMap('questions').delete(id);
        if (!approve) d.getMap('authors').delete(id);
      }),
    );
    this.ctx.changed(boardId, [q.authorId]);
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
    const current = (await this.ctx.publicQuestions(boardId)).find((q) => q.id === id) ?? null;
    if (current) {
      if (change.status === 'hidden') {
        const hidden: InboxQuestion = {
          ...current,
          authorId: '',
          status: 'hidden',
          pinned: change.pinned ?? current.pinned,
          shownAs: current.status,
        };
        await this.ctx.inbox.run(boardId, (d) =>
          d.transact(() => {
            d.getMap('questions').set(id, hidden);
            InboxStore.trimHidden(d);
          }),
        );
        await this.ctx.docs.change(boardId, 'board', 'questions', (d) => unpublishQuestion(d, id, origin));
        this.ctx.changed(boardId, []);
        return inboxView(hidden);
      }
      const status = change.status ?? current.status;
      const pinned = change.pinned ?? current.pinned;
      await this.ctx.docs.change(boardId, 'board', 'questions', (d) => {
        markQuestion(d, id, { status, pinned }, origin);
      });
      return publicView({ ...current, status, pinned });
    }
    const hidden = await this.ctx.inbox.run(boardId, (d) => readInbox(d).get(id) ?? null);
    if (!hidden || hidden.status !== 'hidden') throw new QuestionError(404, 'not-found', 'no such question');
    if (change.status === undefined || change.status === 'hidden') {
      const pinned = change.pinned ?? hidden.pinned;
      await this.ctx.inbox.run(boardId, (d) => d.getMap('questions').set(id, { ...hidden, pinned }));
      this.ctx.changed(boardId, []);
      return inboxView({ ...hidden, pinned });
    }
    const shown: Question = { ...hidden, status: change.status, pinned: change.pinned ?? hidden.pinned };
    await this.ctx.docs.change(boardId, 'board', 'questions', (d) => publishQuestion(d, shown, origin));
    await this.ctx.inbox.run(boardId, (d) => d.getMap('questions').delete(id));
    this.ctx.changed(boardId, []);
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
    await this.ctx.docs.change(boardId, 'board', 'questions', (d) => {
      d.transact(() => {
        for (const id of wanted)
          if (boardQuestions(d).has(id)) {
            boardQuestions(d).delete(id);
            removed.add(id);
          }
      }, origin);
    });
    const authors: string[] = [];
    await this.ctx.inbox.run(boardId, (d) => {
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
    this.ctx.changed(boardId, authors);
    return removed.size;
  }

  /**
   * QA7: all questions of the person who asked `id`, at once: `hide` takes the
   * public and waiting ones off into the hidden list, `reject` deletes the
   * waiting ones, `delete` deletes every one. Returns how many were changed;
   * 404 when the question's author is not known.
   */
  async byAuthorOf(boardId: string, id: string, action: AuthorAction): Promise<{ count: number }> {
    const found = await this.ctx.inbox.run(boardId, (d) => {
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
    const onBoard = (await this.ctx.publicQuestions(boardId)).filter((q) => ids.includes(q.id));
    if (action === 'delete') return { count: await this.removeMany(boardId, ids) };
    const waiting = ids
      .map((qid) => inbox.get(qid))
      .filter((q): q is InboxQuestion => q?.status === 'pending' && !onBoard.some((p) => p.id === q.id));
    if (action === 'reject') {
      await this.ctx.inbox.run(boardId, (d) =>
        d.transact(() => {
          for (const q of waiting) {
            d.getMap('questions').delete(q.id);
            d.getMap('authors').delete(q.id);
          }
        }),
      );
      this.ctx.changed(boardId, [author]);
      return { count: waiting.length };
    }
    // Hidden first, then taken off the board: a failure in between leaves a copy readers skip.
    await this.ctx.inbox.run(boardId, (d) =>
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
        InboxStore.trimHidden(d);
      }),
    );
    if (onBoard.length > 0)
      await this.ctx.docs.change(boardId, 'board', 'questions', (d) => {
        d.transact(() => {
          for (const q of onBoard) boardQuestions(d).delete(q.id);
        }, origin);
      });
    this.ctx.changed(boardId, [author]);
    return { count: onBoard.length + waiting.length };
  }
}
