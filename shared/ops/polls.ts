import * as Y from 'yjs';
import { boardPolls, isFiniteNumber, isSafeKey, LIMITS, type Origin, type ProblemSink } from '../schema';

/**
 * Live polls (issue 22, PO1–PO4). Each poll lives in the board document under
 * root `polls`, written by the server only (the rule gate refuses any client
 * write there, PO3): its question, options and status, how many people
 * answered, and its counts while the organizer shows them. Who answered what
 * is never in this document: the server keeps it in a document no transport
 * serves (server/polls). Clients create, run and answer polls over HTTP.
 */

export const POLL_KINDS = ['choice', 'rating', 'words'] as const;
export type PollKind = (typeof POLL_KINDS)[number];
export type PollStatus = 'draft' | 'open' | 'closed';

/** Counts only: per option (choice), per rating 1–5 with the mean, or per normalised word. */
export type PollResults =
  { counts: number[] } | { counts: number[]; mean: number | null } | { words: Record<string, number> };

export interface Poll {
  id: string;
  kind: PollKind;
  question: string;
  options: string[];
  multiple: boolean;
  itemId: string | null;
  status: PollStatus;
  resultsVisible: boolean;
  createdAt: number;
  /** People who answered. */
  answers: number;
  /** In the document only while `resultsVisible`; null otherwise. */
  results: PollResults | null;
}

const isCounts = (v: unknown): v is number[] =>
  Array.isArray(v) && v.every((n) => isFiniteNumber(n) && n >= 0);

function readResults(v: unknown): PollResults | null {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return null;
  const r = v as Record<string, unknown>;
  if (isCounts(r.counts))
    return 'mean' in r
      ? { counts: r.counts, mean: isFiniteNumber(r.mean) ? r.mean : null }
      : { counts: r.counts };
  if (typeof r.words === 'object' && r.words !== null && !Array.isArray(r.words)) {
    const words: Record<string, number> = Object.create(null) as Record<string, number>;
    for (const [w, n] of Object.entries(r.words)) if (isFiniteNumber(n) && n > 0) words[w] = n;
    return { words };
  }
  return null;
}

export function readPoll(id: string, m: unknown, onProblem?: ProblemSink): Poll | null {
  const problem = (reason: string): null => {
    onProblem?.({ doc: 'board', path: `polls.${id}`, reason });
    return null;
  };
  if (!isSafeKey(id)) return problem('unsafe id');
  if (!(m instanceof Y.Map)) return problem('not a map');
  const kind = m.get('kind');
  const question = m.get('question');
  if (!POLL_KINDS.includes(kind as PollKind)) return problem('kind missing');
  if (typeof question !== 'string') return problem('question missing');
  const options = m.get('options');
  const status = m.get('status');
  const itemId = m.get('itemId');
  const createdAt = m.get('createdAt');
  const answers = m.get('answers');
  return {
    id,
    kind: kind as PollKind,
    question: question.slice(0, LIMITS.questionLength),
    options: Array.isArray(options) ? options.filter((o): o is string => typeof o === 'string') : [],
    multiple: m.get('multiple') === true,
    itemId: typeof itemId === 'string' && isSafeKey(itemId) ? itemId : null,
    status: status === 'open' || status === 'closed' ? status : 'draft',
    resultsVisible: m.get('resultsVisible') === true,
    createdAt: isFiniteNumber(createdAt) ? createdAt : 0,
    answers: isFiniteNumber(answers) ? answers : 0,
    results: readResults(m.get('results')),
  };
}

/** Every poll of the board, oldest first. */
export function readPolls(doc: Y.Doc, onProblem?: ProblemSink): Poll[] {
  const out: Poll[] = [];
  boardPolls(doc).forEach((m, id) => {
    const p = readPoll(id, m, onProblem);
    if (p) out.push(p);
  });
  return out.sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
}

/** Writes the poll's fields that differ (the server's writes; PO3). */
export function writePoll(doc: Y.Doc, poll: Poll, origin: Origin): void {
  doc.transact(() => {
    const polls = boardPolls(doc);
    let m = polls.get(poll.id);
    if (!(m instanceof Y.Map)) {
      m = new Y.Map<unknown>();
      polls.set(poll.id, m);
    }
    const fields: Record<string, unknown> = {
      kind: poll.kind,
      question: poll.question,
      options: poll.options,
      multiple: poll.multiple,
      itemId: poll.itemId,
      status: poll.status,
      resultsVisible: poll.resultsVisible,
      createdAt: poll.createdAt,
      answers: poll.answers,
      results: poll.results,
    };
    for (const [k, v] of Object.entries(fields))
      if (JSON.stringify(m.get(k)) !== JSON.stringify(v)) m.set(k, v);
  }, origin);
}

export function removePoll(doc: Y.Doc, id: string, origin: Origin): boolean {
  const polls = boardPolls(doc);
  if (!polls.has(id)) return false;
  doc.transact(() => polls.delete(id), origin);
  return true;
}
