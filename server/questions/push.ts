import type { Server as IoServer } from 'socket.io';
import type { QuestionsPush } from '../../shared/protocol';
import type { Role } from '../../shared/schema';
import type { Logger } from '../log';
import { MAX_AUTHORS, type Relay } from '../relay/relay';
import type { QuestionService, QuestionView } from './service';

/** How long changes of one board are gathered before one push (a burst of questions: one push). */
const PUSH_DELAY_MS = 100;

/** Socket.io rooms of a board's connections: everyone, the organizers, and each other person. */
export const qaRooms = {
  board: (boardId: string): string => `qa:${boardId}`,
  organizers: (boardId: string): string => `qa:${boardId}:organizers`,
  person: (boardId: string, userId: string): string => `qa:${boardId}:person:${userId}`,
};

/** The rooms a connection joins: organizers get every waiting question, anyone else only their own. */
export function roomsOf(peer: { boardId: string; role: Role; userId: string }): string[] {
  return [
    qaRooms.board(peer.boardId),
    peer.role === 'organizer' ? qaRooms.organizers(peer.boardId) : qaRooms.person(peer.boardId, peer.userId),
  ];
}

/**
 * QA9: waiting questions reach organizers and their authors on the Socket.io
 * connection they already have. A change on this instance is announced to the
 * others on the relay's control channel (`questions`), and every instance
 * pushes to its own connections; rooms with no connection here cost nothing.
 */
export class QuestionPush {
  private readonly pending = new Map<string, { authors: Set<string>; timer: NodeJS.Timeout }>();
  private stop: (() => void)[] = [];

  constructor(
    private readonly deps: { io: IoServer; questions: QuestionService; relay: Relay; log: Logger },
  ) {}

  async start(): Promise<void> {
    const { questions, relay } = this.deps;
    this.stop.push(
      questions.onChange((boardId, authors) => {
        // A long list names no author: the organizers' push goes out anyway, authors fetch again.
        relay.publishControl({
          type: 'questions',
          boardId,
          authors: authors.length <= MAX_AUTHORS ? [...authors] : [],
        });
        this.schedule(boardId, authors);
      }),
    );
    this.stop.push(
      await relay.subscribeControl((m) => {
        if (m.type !== 'questions') return;
        questions.invalidate(m.boardId);
        this.schedule(m.boardId, m.authors);
      }),
    );
  }

  close(): void {
    for (const s of this.stop.splice(0)) s();
    for (const p of this.pending.values()) clearTimeout(p.timer);
    this.pending.clear();
  }

  private schedule(boardId: string, authors: readonly string[]): void {
    const p = this.pending.get(boardId);
    if (p) {
      for (const a of authors) p.authors.add(a);
      return;
    }
    const timer = setTimeout(() => {
      const due = this.pending.get(boardId);
      this.pending.delete(boardId);
      if (due)
        this.push(boardId, [...due.authors]).catch((e: unknown) =>
          this.deps.log.warn({ err: e, board: boardId }, 'questions: push failed'),
        );
    }, PUSH_DELAY_MS);
    timer.unref();
    this.pending.set(boardId, { authors: new Set(authors), timer });
  }

  private listening(room: string): boolean {
    return (this.deps.io.sockets.adapter.rooms.get(room)?.size ?? 0) > 0;
  }

  private async push(boardId: string, authors: readonly string[]): Promise<void> {
    const { io, questions } = this.deps;
    if (!this.listening(qaRooms.board(boardId))) return;
    const moderated = await questions.moderated(boardId);
    const send = (room: string, waiting?: QuestionView[]): void => {
      const push: QuestionsPush = waiting ? { moderated, waiting: waiting.map(asWaiting) } : { moderated };
      io.to(room).emit('questions', push);
    };
    const organizers = qaRooms.organizers(boardId);
    const named = authors.map((a) => qaRooms.person(boardId, a));
    // The switch to everyone else; lists to the organizers and to the authors concerned.
    io.to(qaRooms.board(boardId))
      .except([organizers, ...named])
      .emit('questions', { moderated } satisfies QuestionsPush);
    if (this.listening(organizers))
      send(organizers, await questions.inboxFor(boardId, { organizer: true, userId: null }));
    for (const [i, userId] of authors.entries()) {
      const room = named[i]!;
      if (this.listening(room)) send(room, await questions.inboxFor(boardId, { organizer: false, userId }));
    }
  }
}

const asWaiting = (q: QuestionView): NonNullable<QuestionsPush['waiting']>[number] => ({
  id: q.id,
  text: q.text,
  authorName: q.authorName,
  itemId: q.itemId,
  createdAt: q.createdAt,
  upvotes: q.upvotes,
  status: q.status === 'hidden' ? 'hidden' : 'pending',
  pinned: q.pinned,
  ...(q.mine !== undefined ? { mine: q.mine } : {}),
});
