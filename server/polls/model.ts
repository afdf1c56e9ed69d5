import { POLL_KINDS, type Poll, type PollKind, type PollResults } from '../../shared/ops/polls';
import { isSafeKey, LIMITS } from '../../shared/schema';

/**
 * What the poll routes accept (issue 22, PO1, PO2): requests checked at the
 * boundary, with messages that say what was wrong, and the tally of answers
 * into counts (never who answered what).
 */

/** Options of a choice poll. */
export const MIN_OPTIONS = 2;
export const MAX_OPTIONS = 10;
/** Characters of one option. */
export const OPTION_LENGTH = 100;
/** Words (or short phrases) one person gives a word poll, and their length once normalised. */
export const MAX_WORDS = 3;
export const WORD_LENGTH = 25;

/** A refusal the routes turn into an HTTP error. */
export class PollError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const bad = (message: string): PollError => new PollError(400, 'bad-request', message);

/** One person's answer, as the server keeps it (normalised). */
export type Answer = { choices: number[] } | { rating: number } | { words: string[] };

export interface NewPoll {
  kind: PollKind;
  question: string;
  options: string[];
  multiple: boolean;
  itemId: string | null;
}

export function pollQuestion(v: unknown): string {
  if (typeof v !== 'string' || v.trim() === '' || v.trim().length > LIMITS.questionLength)
    throw bad(`"question" must be text of 1 to ${LIMITS.questionLength} characters`);
  return v.trim();
}

/** PO1: `{ kind, question, options?, multiple?, itemId? }`. */
export function parseNewPoll(body: Record<string, unknown>): NewPoll {
  const { kind, options, multiple, itemId } = body;
  if (!POLL_KINDS.includes(kind as PollKind)) throw bad('"kind" must be choice, rating or words');
  const question = pollQuestion(body.question);
  if (multiple !== undefined && typeof multiple !== 'boolean') throw bad('"multiple" must be true or false');
  if (itemId !== undefined && itemId !== null && (typeof itemId !== 'string' || !isSafeKey(itemId)))
    throw bad('"itemId" must be an agenda item id or null');
  let list: string[] = [];
  if (kind === 'choice') {
    if (!Array.isArray(options) || options.length < MIN_OPTIONS || options.length > MAX_OPTIONS)
      throw bad(`a choice poll needs "options": ${MIN_OPTIONS} to ${MAX_OPTIONS} texts`);
    list = options.map((o: unknown) => {
      if (typeof o !== 'string' || o.trim() === '' || o.trim().length > OPTION_LENGTH)
        throw bad(`each option must be text of 1 to ${OPTION_LENGTH} characters`);
      return o.trim();
    });
  } else if (options !== undefined && !(Array.isArray(options) && options.length === 0)) {
    throw bad(`a ${String(kind)} poll has no "options"`);
  } else if (multiple === true) {
    throw bad('only a choice poll takes "multiple"');
  }
  return {
    kind: kind as PollKind,
    question,
    options: list,
    multiple: multiple === true,
    itemId: typeof itemId === 'string' ? itemId : null,
  };
}

/** PO2: one word as counted: NFKC, trimmed, inner spaces as one, case-folded ("PRIVACY " is "privacy"). */
export function normaliseWord(w: string): string {
  return w.normalize('NFKC').trim().replace(/\s+/g, ' ').toLowerCase().normalize('NFKC');
}

/** Words that would be an object's own machinery rather than a key in `{ words: { [word]: count } }`. */
const RESERVED_WORDS = new Set(['__proto__', 'constructor', 'prototype']);

/** PO2: the answer the poll's kind takes, normalised; 400 with what was wrong otherwise. */
export function parseAnswer(
  poll: Pick<Poll, 'kind' | 'options' | 'multiple'>,
  body: Record<string, unknown>,
): Answer {
  if (poll.kind === 'choice') {
    const { choices } = body;
    const n = poll.options.length;
    if (
      !Array.isArray(choices) ||
      !choices.every((c): c is number => Number.isInteger(c) && (c as number) >= 0 && (c as number) < n)
    )
      throw bad(`expected JSON { "choices": [option indexes from 0 to ${n - 1}] }`);
    const unique = [...new Set(choices)].sort((a, b) => a - b);
    if (unique.length === 0) throw bad('choose at least one option');
    if (!poll.multiple && unique.length > 1) throw bad('this poll takes one choice');
    return { choices: unique };
  }
  if (poll.kind === 'rating') {
    const { rating } = body;
    if (!Number.isInteger(rating) || (rating as number) < 1 || (rating as number) > 5)
      throw bad('expected JSON { "rating": a whole number from 1 to 5 }');
    return { rating: rating as number };
  }
  const { words } = body;
  if (!Array.isArray(words) || words.length === 0 || words.length > MAX_WORDS)
    throw bad(`expected JSON { "words": 1 to ${MAX_WORDS} words or short phrases }`);
  const out: string[] = [];
  for (const w of words) {
    if (typeof w !== 'string') throw bad('each word must be text');
    const n = normaliseWord(w);
    if (n === '' || n.length > WORD_LENGTH)
      throw bad(`each word must be 1 to ${WORD_LENGTH} characters once trimmed`);
    if (RESERVED_WORDS.has(n)) throw bad(`"${n}" cannot be counted as a word`);
    if (!out.includes(n)) out.push(n);
  }
  return { words: out };
}

/** Reads a stored answer back (the store is the server's own, but a bad entry is skipped, not trusted). */
export function readAnswer(v: unknown): Answer | null {
  if (typeof v !== 'object' || v === null) return null;
  const a = v as Record<string, unknown>;
  if (Array.isArray(a.choices) && a.choices.every((c) => Number.isInteger(c)))
    return { choices: a.choices as number[] };
  if (Number.isInteger(a.rating)) return { rating: a.rating as number };
  if (Array.isArray(a.words) && a.words.every((w) => typeof w === 'string'))
    return { words: a.words as string[] };
  return null;
}

/** The counts of a poll's answers. */
export function tally(poll: Pick<Poll, 'kind' | 'options'>, answers: Iterable<Answer>): PollResults {
  if (poll.kind === 'choice') {
    const counts = poll.options.map(() => 0);
    for (const a of answers)
      if ('choices' in a) for (const c of a.choices) if (c >= 0 && c < counts.length) counts[c]!++;
    return { counts };
  }
  if (poll.kind === 'rating') {
    const counts = [0, 0, 0, 0, 0];
    let sum = 0;
    let n = 0;
    for (const a of answers)
      if ('rating' in a && a.rating >= 1 && a.rating <= 5) {
        counts[a.rating - 1]!++;
        sum += a.rating;
        n++;
      }
    return { counts, mean: n === 0 ? null : Math.round((sum / n) * 100) / 100 };
  }
  const words = Object.create(null) as Record<string, number>;
  for (const a of answers) if ('words' in a) for (const w of a.words) words[w] = (words[w] ?? 0) + 1;
  return { words };
}
