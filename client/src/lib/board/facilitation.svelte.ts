import type * as Y from 'yjs';
import {
  clearSpotlight,
  clearTimer,
  closeVoting,
  openVoting,
  setAnonymousNotes,
  setBoardLocked,
  setHideVotes,
  setSpotlight,
  startTimer,
} from '$shared/ops/live';
import { setGroupVotes } from '$shared/ops/groups';
import type { Origin } from '$shared/schema';
import { apiOnDemand } from '../api-on-demand';
import type { BoardCore } from './board-core.svelte';

/**
 * The organizer's controls of the live session: lock, voting, anonymity,
 * timer, spotlight, private writing. Written to the agenda document with the
 * untracked origin; the server refuses agenda writes from anyone else.
 */
export class Facilitation {
  readonly #core: BoardCore;

  constructor(core: BoardCore) {
    this.#core = core;
  }

  #live(fn: (doc: Y.Doc, origin: Origin) => void): void {
    const core = this.#core;
    if (!core.session.canWrite('agenda')) {
      core.message = 'Only organizers can change this.';
      return;
    }
    core.attempt(() => fn(core.session.docs.agenda, core.untracked));
  }

  setLocked(locked: boolean): void {
    this.#live((d, o) => setBoardLocked(d, locked, o));
  }
  openVoting(votesPerPerson: number): void {
    this.#live((d, o) => openVoting(d, votesPerPerson, o));
  }
  closeVoting(): void {
    this.#live((d, o) => closeVoting(d, o));
  }
  setHideVotes(hide: boolean): void {
    this.#live((d, o) => setHideVotes(d, hide, o));
  }
  setAnonymous(anonymous: boolean): void {
    this.#live((d, o) => setAnonymousNotes(d, anonymous, o));
  }
  startTimer(minutes: number): void {
    if (!Number.isFinite(minutes) || minutes <= 0 || minutes > 180) {
      this.#core.message = 'Timer minutes must be between 1 and 180.';
      return;
    }
    const ends = this.#core.session.clock.now() + minutes * 60_000;
    this.#live((d, o) => startTimer(d, ends, o));
  }
  clearTimer(): void {
    this.#live((d, o) => clearTimer(d, o));
  }
  spotlight(view: { x: number; y: number; zoom: number }): void {
    const at = this.#core.session.clock.now();
    this.#live((d, o) => setSpotlight(d, { ...view, at }, o));
  }
  clearSpotlight(): void {
    this.#live((d, o) => clearSpotlight(d, o));
  }
  /** GR3: votes go to groups (on) or to notes (off). */
  setGroupVotes(on: boolean): void {
    this.#live((d, o) => setGroupVotes(d, on, o));
  }

  /** Organizer: starts private writing, or ends it with Reveal (PW1, PW2); the server does both. */
  async setPrivateWriting(action: 'start' | 'reveal'): Promise<void> {
    const core = this.#core;
    try {
      const { call, API } = await apiOnDemand();
      const res = await call(API.privateWriting, {
        id: core.session.boardId,
        token: core.session.token,
        body: { action },
      });
      if (!res.ok)
        core.message = `Private writing: ${res.error?.message ?? `the server answered ${res.status}`}.`;
    } catch {
      core.message = 'Could not reach the server: private writing did not change.';
    }
  }
}
