import { readQuestions, sortQuestions, type PublicStatus, type Question } from '$shared/ops/questions';
import { addNote, NOTE_SIZE } from '$shared/ops/board';
import { createTask } from '$shared/ops/tasks';
import { agendaLive, boardQuestions, LIMITS, localOrigin, readLive, readNotes } from '$shared/schema';
import { loadPerson, type Person } from '../sync/identity';
import { YView } from '../sync/reactive.svelte';
import { sharedState } from '../sync/state-life';
import type { BoardSessionApi } from '../sync/types';

/**
 * Q&A of a board (issue 11): public questions come with the board document
 * (the server writes them; this class never writes a document); asking,
 * upvoting and moderating go over HTTP with the person's issued identity.
 * Waiting questions are never in the documents: they are fetched once from
 * `GET .../questions` (at each connection) and then pushed by the server on
 * the board's socket (QA9: `questions`), to organizers and their author only.
 */

/** A waiting or hidden question as the API answers it. */
import type { WaitingQuestion } from '$shared/protocol';
export type { WaitingQuestion };

export type QaFilter = 'talk' | 'all';

/** Questions of one talk (or all), in the order everyone sees them. */
export function questionsFor(all: readonly Question[], filter: QaFilter, itemId: string | null): Question[] {
  return sortQuestions(filter === 'all' ? all : all.filter((q) => q.itemId === itemId));
}

export class QaState {
  readonly #session: BoardSessionApi;
  readonly #questions: YView<Question[]>;
  readonly #live: YView<string | null>;
  waiting = $state.raw<WaitingQuestion[]>([]);
  moderated = $state(false);
  error = $state<string | null>(null);
  busy = $state(false);

  constructor(
    session: BoardSessionApi,
    private readonly person: () => Person | null = () => loadPerson(session.boardId),
    private readonly fetcher: typeof fetch = (...a) => fetch(...a),
  ) {
    this.#session = session;
    const board = session.docs.board;
    const agenda = session.docs.agenda;
    this.#questions = new YView(boardQuestions(board), () => readQuestions(board));
    this.#live = new YView(agendaLive(agenda), () => readLive(agenda).currentItemId);
  }

  /** Public questions (reactive). */
  get questions(): Question[] {
    return this.#questions.current;
  }

  /** The live agenda item, which new questions are tagged with (reactive). */
  get liveItemId(): string | null {
    return this.#live.current;
  }

  get isOrganizer(): boolean {
    return this.#session.role === 'organizer';
  }

  /** Viewers read; participants and organizers ask and upvote. */
  get canAsk(): boolean {
    return this.#session.role !== 'viewer';
  }

  /** Whether this person upvoted `q` (the server keeps one upvote per person). */
  upvoted(q: Pick<Question, 'voters'>): boolean {
    const me = this.person()?.userId ?? this.#session.user.id;
    return me !== '' && q.voters.includes(me);
  }

  async #call(method: string, path: string, body?: unknown): Promise<Response | null> {
    const headers: Record<string, string> = {
      authorization: `Bearer ${this.#session.token}`,
      'content-type': 'application/json',
    };
    const p = this.person();
    if (p) {
      headers['x-plenary-user'] = p.userId;
      headers['x-plenary-key'] = p.key;
    }
    try {
      const res = await this.fetcher(
        `/api/boards/${encodeURIComponent(this.#session.boardId)}/questions${path}`,
        { method, headers, body: body === undefined ? undefined : JSON.stringify(body) },
      );
      if (!res.ok) {
        const message = await res
          .json()
          .then((j: { error?: { message?: string } }) => j.error?.message)
          .catch(() => undefined);
        this.error = message ?? `The server answered ${res.status}.`;
        return null;
      }
      this.error = null;
      return res;
    } catch {
      this.error = 'No connection to the server: try again in a moment.';
      return null;
    }
  }

  /** True while the board's connection is up (a (re)connection fetches what was pushed meanwhile). */
  get online(): boolean {
    const c = this.#session.connection;
    return c === 'saved' || c === 'syncing';
  }

  /** QA9: follows the server's pushes; returns the unsubscribe. */
  listen(): () => void {
    return this.#session.onQuestions((push) => {
      this.moderated = push.moderated === true;
      if (Array.isArray(push.waiting)) this.waiting = push.waiting;
    });
  }

  /** Fetches the moderation switch and the waiting questions this person may see. */
  async refresh(): Promise<void> {
    const res = await this.#call('GET', '');
    if (!res) return;
    const body = (await res.json()) as { moderated: boolean; waiting: WaitingQuestion[] };
    this.moderated = body.moderated === true;
    this.waiting = Array.isArray(body.waiting) ? body.waiting : [];
  }

  /** Asks a question; true when the server took it (it may wait for approval). */
  async ask(text: string, anonymous: boolean): Promise<'visible' | 'pending' | null> {
    const clean = text.trim();
    if (clean === '') {
      this.error = 'Write a question first.';
      return null;
    }
    if (clean.length > LIMITS.questionLength) {
      this.error = `A question is limited to ${LIMITS.questionLength} characters.`;
      return null;
    }
    this.busy = true;
    try {
      const res = await this.#call('POST', '', { text: clean, anonymous });
      if (!res) return null;
      const q = (await res.json()) as { status: string };
      // One's own action shows at once (the push also comes); not a poll.
      if (q.status === 'pending') await this.refresh();
      return q.status === 'pending' ? 'pending' : 'visible';
    } finally {
      this.busy = false;
    }
  }

  async toggleUpvote(q: Question): Promise<void> {
    await this.#call(this.upvoted(q) ? 'DELETE' : 'PUT', `/${encodeURIComponent(q.id)}/upvote`);
  }

  /**
   * QA3: an organizer turns a question into a note (below the board's notes,
   * tagged with the question's talk, under the organizer's name) or a task.
   * Ordinary document changes: the organizer may write both documents.
   * Returns the new id, or null when this person may not.
   */
  toNote(q: Pick<Question, 'text' | 'itemId'>): string | null {
    if (!this.isOrganizer || !this.#session.canWrite('board')) return null;
    const board = this.#session.docs.board;
    const notes = readNotes(board);
    const y = notes.length === 0 ? 0 : Math.max(...notes.map((n) => n.y)) + NOTE_SIZE.height + 40;
    return addNote(
      board,
      {
        text: q.text,
        x: 0,
        y,
        authorId: this.#session.user.id,
        authorName: this.#session.user.name,
        itemId: q.itemId,
        createdAt: this.#session.clock.now(),
      },
      localOrigin(this.#session.user.id),
    );
  }

  toTask(q: Pick<Question, 'text' | 'itemId'>): string | null {
    if (!this.isOrganizer || !this.#session.canWrite('tasks')) return null;
    return createTask(
      this.#session.docs.tasks,
      {
        title: q.text.slice(0, LIMITS.taskTitleLength),
        itemId: q.itemId,
        createdBy: this.#session.user.id,
        createdAt: this.#session.clock.now(),
      },
      localOrigin(this.#session.user.id),
    );
  }

  async setModerated(on: boolean): Promise<void> {
    const res = await this.#call('PUT', '/settings', { moderated: on });
    if (res) this.moderated = on;
  }

  async decide(id: string, approve: boolean): Promise<void> {
    const res = await this.#call('POST', `/${encodeURIComponent(id)}/${approve ? 'approve' : 'reject'}`);
    if (res) await this.refresh();
  }

  async mark(id: string, change: { status?: PublicStatus | 'hidden'; pinned?: boolean }): Promise<void> {
    const res = await this.#call('PATCH', `/${encodeURIComponent(id)}`, change);
    if (res && change.status !== undefined) await this.refresh();
  }

  /** QA7: deletes a question (organizers). */
  async remove(id: string): Promise<boolean> {
    const res = await this.#call('DELETE', `/${encodeURIComponent(id)}`);
    if (res) await this.refresh();
    return res !== null;
  }

  /** QA7: hides, rejects or deletes every question of the person who asked `id` (organizers); how many. */
  async actOnAuthor(id: string, action: 'hide' | 'reject' | 'delete'): Promise<number | null> {
    const res = await this.#call('POST', `/${encodeURIComponent(id)}/author`, { action });
    if (!res) return null;
    const body = (await res.json()) as { count?: unknown };
    await this.refresh();
    return typeof body.count === 'number' ? body.count : 0;
  }
}

/** One QaState per session and generation of its documents. */
export const qaStateFor = (session: BoardSessionApi): QaState => sharedState(session, QaState);
