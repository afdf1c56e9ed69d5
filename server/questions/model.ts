import type { Question, QuestionStatus, PublicStatus } from '../../shared/ops/questions';
import { LIMITS } from '../../shared/schema';

/** The Q&A's types, the views the API answers with, its errors and its input check (QA1–QA7). */

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

/** What every view of a question shows, wherever it is kept (no author id). */
const view = (q: Question | InboxQuestion): QuestionView => ({
  id: q.id,
  text: q.text,
  authorName: q.authorName === '' ? null : q.authorName,
  itemId: q.itemId,
  createdAt: q.createdAt,
  upvotes: q.voters.length,
  status: q.status,
  pinned: q.pinned,
});

export const publicView = (q: Question, viewer?: string): QuestionView => ({
  ...view(q),
  ...(viewer ? { upvoted: q.voters.includes(viewer) } : {}),
});

export const inboxView = (q: InboxQuestion, viewer?: string): QuestionView => ({
  ...view(q),
  ...(viewer ? { mine: q.authorId === viewer } : {}),
});

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
