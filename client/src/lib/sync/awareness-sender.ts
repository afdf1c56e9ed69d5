import * as awarenessProtocol from 'y-protocols/awareness';
import { awarenessFrame } from '$shared/protocol/frames';

/** Awareness carries cursors: at most this many updates per second leave the client. */
export const AWARENESS_MAX_PER_SECOND = 20;

/**
 * Sends one document's local awareness state: leaving at once, everything
 * else (mostly cursors) at most `AWARENESS_MAX_PER_SECOND` times a second.
 */
export class AwarenessSender {
  readonly #aw: awarenessProtocol.Awareness;
  readonly #send: (frame: Uint8Array) => void;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #lastSent: number;
  readonly #off: () => void;

  /** `lastSent`: when the previous sender of this document last sent (a reset keeps the pace). */
  constructor(aw: awarenessProtocol.Awareness, send: (frame: Uint8Array) => void, lastSent = 0) {
    this.#aw = aw;
    this.#send = send;
    this.#lastSent = lastSent;
    const onUpdate = (
      { added, updated, removed }: { added: number[]; updated: number[]; removed: number[] },
      origin: unknown,
    ): void => {
      if (origin !== 'local') return;
      if (![...added, ...updated, ...removed].includes(aw.clientID)) return;
      if (aw.getLocalState() === null) this.sendNow();
      else this.#schedule();
    };
    aw.on('update', onUpdate);
    this.#off = () => aw.off('update', onUpdate);
  }

  get lastSent(): number {
    return this.#lastSent;
  }

  /** Sends our state now (a new connection, or the server asked for it). */
  sendNow(): void {
    this.#cancel();
    this.#lastSent = Date.now();
    this.#send(awarenessFrame(this.#aw, [this.#aw.clientID]));
  }

  /** Tell the others at once that we left, instead of letting them time out after 30 s. */
  announceLeaving(): void {
    // Origin 'local' so the update handler sends it immediately.
    if (this.#aw.getLocalState() !== null)
      awarenessProtocol.removeAwarenessStates(this.#aw, [this.#aw.clientID], 'local');
  }

  /** Without the server nobody relays presence: show the others as gone. */
  forgetOthers(origin: unknown): void {
    const aw = this.#aw;
    const others = [...aw.getStates().keys()].filter((id) => id !== aw.clientID);
    awarenessProtocol.removeAwarenessStates(aw, others, origin);
  }

  destroy(): void {
    this.#cancel();
    this.#off();
  }

  #schedule(): void {
    if (this.#timer !== undefined) return;
    const gap = 1000 / AWARENESS_MAX_PER_SECOND;
    const wait = Math.max(0, this.#lastSent + gap - Date.now());
    if (wait === 0) {
      this.sendNow();
      return;
    }
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.sendNow();
    }, wait);
  }

  #cancel(): void {
    if (this.#timer === undefined) return;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
