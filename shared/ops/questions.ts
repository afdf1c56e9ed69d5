import * as Y from 'yjs';
import { boardQuestions, isFiniteNumber, isSafeKey, LIMITS, type Origin, type ProblemSink } from '../schema';

/**
 * Q&A per talk (issue 11, QA1–QA5). Public questions live in the board
 * document under root `questions`, written by the server only (the rule gate
 * refuses any client write there): every client reads them like notes.
 * Questions waiting for approval and hidden ones are never in this document:
 * the server keeps them in an inbox only organizers and their author read
 * (server/questions). Clients ask, upvote and moderate over HTTP.
 */

export const QUESTION_STATUSES = ['pending', 'visible', 'answered', 'hidden'] as const;
export type QuestionStatus = (typeof QUESTION_STATUSES)[number];
/** Statuses a question has in the board document (public). */
export type PublicStatus = 'visible' | 'answered';

/** A question as every client reads it. `authorName` is '' for an anonymous question. */
export interface Question {
  id: string;
  text: string;
  authorName: string;
  itemId: string | null;
  createdAt: number;
  status: PublicStatus;
  pinned: boolean;
  /** Ids of the people who upvoted it (one upvote each). */
  voters: string[];
}

export const upvotesOf = (q: Pick<Question, 'voters'>): number => q.voters.length;

/** Pinned first, then most upvoted, then oldest: the order every client shows. */
export function sortQuestions<T extends Pick<Question, 'pinned' | 'voters' | 'createdAt' | 'id'>>(
  qs: readonly T[],
): T[] {
  return [...qs].sort(
    (a, b) =>
      Number(b.pinned) - Number(a.pinned) ||
      b.voters.length - a.voters.length ||
      a.createdAt - b.createdAt ||
      a.id.localeCompare(b.id),
  );
}

export function readQuestion(id: string, m: unknown, onProblem?: ProblemSink): Question | null {
  const problem = (reason: string): null => {
    onProblem?.({ doc: 'board', path: `questions.${id}`, reason });
    return null;
  };
  if (!isSafeKey(id)) return problem('unsafe id');
  if (!(m instanceof Y.Map)) return problem('not a map');
  const text = m.get('text');
  if (typeof text !== 'string') return problem('text missing');
  const status = m.get('status');
  const itemId = m.get('itemId');
  const createdAt = m.get('createdAt');
  const authorName = m.get('authorName');
  const voters: string[] = [];
  const votes = m.get('votes');
  if (votes instanceof Y.Map) votes.forEach((v, voter) => v === 1 && isSafeKey(voter) && voters.push(voter));
  return {
    id,
    text: text.slice(0, LIMITS.questionLength),
    authorName: typeof authorName === 'string' ? authorName.slice(0, LIMITS.nameLength) : '',
    itemId: typeof itemId === 'string' && isSafeKey(itemId) ? itemId : null,
    createdAt: isFiniteNumber(createdAt) ? createdAt : 0,
    status: status === 'answered' ? 'answered' : 'visible',
    pinned: m.get('pinned') === true,
    voters: voters.sort(),
  };
}

/** Public questions, pinned first, then by upvotes. */
export function readQuestions(doc: Y.Doc, onProblem?: ProblemSink): Question[] {
  const out: Question[] = [];
  boardQuestions(doc).forEach((m, id) => {
    const q = readQuestion(id, m, onProblem);
    if (q) out.push(q);
  });
  return sortQuestions(out);
}

// ---- server-side writes (the gate refuses these from clients) -----------------

/** Puts a question on the board (new, approved or shown again) with its upvotes. */
export function publishQuestion(doc: Y.Doc, q: Question, origin: Origin): void {
  doc.transact(() => {
    const m = new Y.Map<unknown>();
    m.set('text', q.text.slice(0, LIMITS.questionLength));
    m.set('authorName', q.authorName.slice(0, LIMITS.nameLength));
    m.set('itemId', q.itemId);
    m.set('createdAt', q.createdAt);
    m.set('status', q.status);
    m.set('pinned', q.pinned);
    const votes = new Y.Map<number>();
    for (const v of q.voters) votes.set(v, 1);
    m.set('votes', votes);
    boardQuestions(doc).set(q.id, m);
  }, origin);
}

/** Takes a question off the board (hidden, or removed). */
export function unpublishQuestion(doc: Y.Doc, id: string, origin: Origin): void {
  doc.transact(() => boardQuestions(doc).delete(id), origin);
}

/** Sets status and pin of a public question. False when it is not on the board. */
export function markQuestion(
  doc: Y.Doc,
  id: string,
  change: { status?: PublicStatus; pinned?: boolean },
  origin: Origin,
): boolean {
  const m = boardQuestions(doc).get(id);
  if (!(m instanceof Y.Map)) return false;
  doc.transact(() => {
    if (change.status !== undefined && m.get('status') !== change.status) m.set('status', change.status);
    if (change.pinned !== undefined && m.get('pinned') !== change.pinned) m.set('pinned', change.pinned);
  }, origin);
  return true;
}

/** One upvote per person (set) or none (unset). False when the question is not on the board. */
export function setUpvote(doc: Y.Doc, id: string, voterId: string, on: boolean, origin: Origin): boolean {
  const m = boardQuestions(doc).get(id);
  if (!(m instanceof Y.Map) || !isSafeKey(voterId)) return false;
  doc.transact(() => {
    let votes = m.get('votes');
    if (!(votes instanceof Y.Map)) {
      votes = new Y.Map<number>();
      m.set('votes', votes);
    }
    const v = votes as Y.Map<number>;
    if (on && v.get(voterId) !== 1) v.set(voterId, 1);
    if (!on && v.has(voterId)) v.delete(voterId);
  }, origin);
  return true;
}
