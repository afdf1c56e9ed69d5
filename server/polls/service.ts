import type * as Y from 'yjs';
import { readPolls, removePoll, writePoll, type Poll, type PollResults } from '../../shared/ops/polls';
import { agendaItems, newId, serverOrigin, type DocKind } from '../../shared/schema';
import type { Logger } from '../log';
import type { DocStore } from '../persistence/store';
import { InboxStore } from '../questions/inbox-store';
import type { DocAccess } from '../sync/doc-access';
import type { DocumentHooks } from '../sync/doc-hooks';
import { PollError, readAnswer, tally, type Answer, type NewPoll } from './model';

export { PollError } from './model';

/**
 * Live polls (issue 22, PO1–PO4).
 *
 * A poll's question, options, status and published counts are in the board
 * document, written by the server only (PO3): every client, on either
 * transport, sees a poll open and its counts change as they are written.
 * Who answered what is kept in a server-only document `<board>/poll-answers`
 * (the Q&A inbox's store, which no transport serves), one root map per poll
 * keyed by person, so a later answer replaces an earlier one and two tabs or
 * two instances answering at once still count once (PO2). The board
 * document carries only counts, and only while `resultsVisible` (PO4).
 */

/** Polls per board (then 409 `board-full`). */
export const MAX_POLLS = 100;
/** How long answers are gathered before their counts are written into the board document (PO3: well within a second). */
export const PUBLISH_DELAY_MS = 100;
const origin = serverOrigin('polls');

/** A poll as the routes answer it; `results` only for organizers or while shown. */
export type PollView = Omit<Poll, 'results' | 'createdAt'> & { results?: PollResults };

const answersOf = (d: Y.Doc, pollId: string): Y.Map<unknown> => d.getMap(`poll:${pollId}`);

export class PollService {
  private readonly answers: InboxStore;
  /** Polls whose counts are to be written, per board and poll. */
  private readonly due = new Map<string, NodeJS.Timeout>();
  /** Per board: poll changes of this instance, one at a time, so counts are written in order. */
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(
    private readonly deps: {
      store: DocStore;
      docs: DocAccess;
      log: Logger;
      now?: () => number;
      maxPolls?: number;
    },
  ) {
    this.answers = new InboxStore(deps.store, 'poll-answers');
  }

  /** The answers leave memory with the board's document. */
  documentHooks(boardId: string, kind: DocKind): DocumentHooks[] {
    return kind === 'board' ? [{ onUnload: () => this.answers.forget(boardId) }] : [];
  }

  private serial<T>(boardId: string, fn: () => Promise<T>): Promise<T> {
    const next = (this.queues.get(boardId) ?? Promise.resolve()).then(fn, fn);
    const settled = next.catch(() => undefined);
    this.queues.set(boardId, settled);
    void settled.then(() => {
      if (this.queues.get(boardId) === settled) this.queues.delete(boardId);
    });
    return next;
  }

  private polls(boardId: string): Promise<Poll[]> {
    return this.deps.docs.read(boardId, 'board', (d) => readPolls(d));
  }

  private async poll(boardId: string, id: string): Promise<Poll> {
    const p = (await this.polls(boardId)).find((x) => x.id === id);
    if (!p) throw new PollError(404, 'not-found', 'no such poll on the board');
    return p;
  }

  /** The counts of one poll and how many answered, from the server's own answers. */
  private async count(boardId: string, poll: Poll): Promise<{ answers: number; results: PollResults }> {
    return this.answers.run(boardId, (d) => {
      const list: Answer[] = [];
      answersOf(d, poll.id).forEach((v) => {
        const a = readAnswer(v);
        if (a) list.push(a);
      });
      return { answers: list.length, results: tally(poll, list) };
    });
  }

  /** Writes the poll with its current counts (published only while shown, PO4). */
  private async publish(boardId: string, poll: Poll): Promise<Poll> {
    const { answers, results } = await this.count(boardId, poll);
    const next: Poll = { ...poll, answers, results: poll.resultsVisible ? results : null };
    await this.deps.docs.change(boardId, 'board', 'polls', (d) => writePoll(d, next, origin));
    return next;
  }

  /** PO1: a draft poll. */
  create(boardId: string, input: NewPoll): Promise<PollView> {
    return this.serial(boardId, async () => {
      const max = this.deps.maxPolls ?? MAX_POLLS;
      if ((await this.polls(boardId)).length >= max)
        throw new PollError(409, 'board-full', `this board holds at most ${max} polls; delete some first`);
      const { itemId } = input;
      if (
        itemId !== null &&
        !(await this.deps.docs.read(boardId, 'agenda', (d) => agendaItems(d).has(itemId)))
      )
        throw new PollError(400, 'bad-request', '"itemId" names no agenda item of this board');
      const poll: Poll = {
        id: newId(),
        ...input,
        status: 'draft',
        resultsVisible: false,
        createdAt: (this.deps.now ?? Date.now)(),
        answers: 0,
        results: null,
      };
      await this.deps.docs.change(boardId, 'board', 'polls', (d) => writePoll(d, poll, origin));
      return view(poll, null);
    });
  }

  /** PO1: open (answers are taken) or close (they are not); reopening keeps the answers. */
  setStatus(boardId: string, id: string, status: 'open' | 'closed'): Promise<PollView> {
    return this.serial(boardId, async () => {
      const p = await this.publish(boardId, { ...(await this.poll(boardId, id)), status });
      return view(p, (await this.count(boardId, p)).results);
    });
  }

  /** PO1: a new question, or results shown to everyone (PO4) or hidden again. */
  update(
    boardId: string,
    id: string,
    change: { question?: string; resultsVisible?: boolean },
  ): Promise<PollView> {
    return this.serial(boardId, async () => {
      const p = await this.publish(boardId, { ...(await this.poll(boardId, id)), ...change });
      return view(p, (await this.count(boardId, p)).results);
    });
  }

  /** PO1: the poll and every answer to it. */
  remove(boardId: string, id: string): Promise<void> {
    return this.serial(boardId, async () => {
      let found = false;
      await this.deps.docs.change(boardId, 'board', 'polls', (d) => {
        found = removePoll(d, id, origin);
      });
      if (!found) throw new PollError(404, 'not-found', 'no such poll on the board');
      await this.answers.run(boardId, (d) => answersOf(d, id).clear());
    });
  }

  /**
   * PO2: the person's answer, replacing any earlier one (keyed by person, so
   * two tabs at once count once); 409 unless the poll is open. The counts in
   * the board document follow within `PUBLISH_DELAY_MS` (PO3): a burst of
   * answers makes one write, not one per answer for every client.
   */
  async answer(
    boardId: string,
    id: string,
    userId: string,
    parse: (poll: Poll) => Answer,
  ): Promise<PollView> {
    const poll = await this.poll(boardId, id);
    if (poll.status !== 'open')
      throw new PollError(
        409,
        'not-open',
        `this poll is ${poll.status === 'draft' ? 'not open yet' : 'closed'}`,
      );
    const answer = parse(poll);
    await this.answers.run(boardId, (d) => answersOf(d, id).set(userId, answer));
    this.schedulePublish(boardId, id);
    const { answers, results } = await this.count(boardId, poll);
    return view({ ...poll, answers }, poll.resultsVisible ? results : null);
  }

  private schedulePublish(boardId: string, id: string): void {
    const key = `${boardId}\n${id}`;
    if (this.due.has(key)) return;
    const timer = setTimeout(() => {
      this.due.delete(key);
      this.serial(boardId, async () => {
        // Counted from the stored answers, not this instance's copy: answers taken by other
        // instances sharing the database count too (the last instance to publish saw them all).
        this.answers.invalidate(boardId);
        const current = (await this.polls(boardId)).find((p) => p.id === id);
        if (current) await this.publish(boardId, current);
      }).catch((e: unknown) =>
        this.deps.log.warn({ err: e, board: boardId }, 'polls: publishing counts failed'),
      );
    }, PUBLISH_DELAY_MS);
    timer.unref();
    this.due.set(key, timer);
  }

  /** Stops publishing (the server closes). */
  close(): void {
    for (const t of this.due.values()) clearTimeout(t);
    this.due.clear();
  }

  /** PO4: every poll with its current counts; the counts for organizers always, for others only while shown. */
  async list(boardId: string, organizer: boolean): Promise<PollView[]> {
    const out: PollView[] = [];
    for (const p of await this.polls(boardId)) {
      const { answers, results } = await this.count(boardId, p);
      out.push(view({ ...p, answers }, organizer || p.resultsVisible ? results : null));
    }
    return out;
  }
}

function view(p: Poll, results: PollResults | null): PollView {
  const { results: _published, createdAt: _at, ...rest } = p;
  return results ? { ...rest, results } : rest;
}
