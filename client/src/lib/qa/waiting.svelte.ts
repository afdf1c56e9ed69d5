import type { QuestionsPush } from '$shared/protocol';
import { loadPerson } from '../sync/identity';
import type { BoardSessionApi } from '../sync/types';

/**
 * How many questions wait for an organizer's approval (QA10), for the badge on
 * the header's Tasks button while the Q&A panel (loaded with the tasks) may be
 * closed or not loaded yet. Small on purpose: the header must not pull in the
 * Q&A panel's code. The count follows the server's pushes (QA9) and is fetched
 * once per connection, like the panel's list.
 */
export class WaitingCount {
  pending = $state(0);

  constructor(
    private readonly session: BoardSessionApi,
    private readonly fetcher: typeof fetch = (...a) => fetch(...a),
  ) {}

  #take(push: Partial<QuestionsPush>): void {
    if (Array.isArray(push.waiting)) this.pending = push.waiting.filter((q) => q.status === 'pending').length;
  }

  /** Follows the server's pushes; returns the unsubscribe. */
  listen(): () => void {
    return this.session.onQuestions((push) => this.#take(push));
  }

  async refresh(): Promise<void> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.session.token}` };
    const p = loadPerson(this.session.boardId);
    if (p) {
      headers['x-plenary-user'] = p.userId;
      headers['x-plenary-key'] = p.key;
    }
    try {
      const res = await this.fetcher(`/api/boards/${encodeURIComponent(this.session.boardId)}/questions`, {
        headers,
      });
      if (res.ok) this.#take((await res.json()) as Partial<QuestionsPush>);
    } catch {
      // Offline: the next connection fetches again.
    }
  }
}
