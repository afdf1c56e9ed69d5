import { estimateClockOffset, type ClockSample } from '$shared/time/clock-offset';
import type { ServerClock } from './types';

export interface ClockOptions {
  /** Ask the server for its epoch ms; rejects when no answer comes. */
  ask: () => Promise<number>;
  /** The client clock (injected so tests can skew it). */
  now?: () => number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
  /** Samples per round; the one with the smallest round trip wins. */
  samplesPerRound?: number;
  /** Gap between samples, so one congested moment does not spoil them all. */
  spacingMs?: number;
  /** Clocks drift and routes change: sample again this often. */
  resampleMs?: number;
}

/**
 * The agreed "now" (server epoch ms), estimated NTP-style over the socket.
 * `start()` on every connect takes a round of samples and schedules the next
 * rounds; `stop()` on disconnect. The last estimate stays valid offline.
 */
export class SocketServerClock implements ServerClock {
  offsetMs = $state(0);
  rttMs = $state<number | null>(null);

  readonly #ask: () => Promise<number>;
  readonly #now: () => number;
  readonly #setTimer: (fn: () => void, ms: number) => unknown;
  readonly #clearTimer: (handle: unknown) => void;
  readonly #samplesPerRound: number;
  readonly #spacingMs: number;
  readonly #resampleMs: number;
  #timer: unknown = null;
  /** Bumped by start/stop so that a round from an old connection stops early. */
  #generation = 0;

  constructor(opts: ClockOptions) {
    this.#ask = opts.ask;
    this.#now = opts.now ?? (() => Date.now());
    this.#setTimer = opts.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
    this.#clearTimer = opts.clearTimer ?? ((h) => clearTimeout(h as ReturnType<typeof setTimeout>));
    this.#samplesPerRound = opts.samplesPerRound ?? 5;
    this.#spacingMs = opts.spacingMs ?? 100;
    this.#resampleMs = opts.resampleMs ?? 5 * 60_000;
  }

  now(): number {
    return this.#now() + this.offsetMs;
  }

  /** Begin sampling (call on connect). Resolves after the first round. */
  start(): Promise<void> {
    this.stop();
    const generation = this.#generation;
    return this.#round(generation);
  }

  /** Stop sampling (call on disconnect and destroy); keeps the last estimate. */
  stop(): void {
    this.#generation++;
    if (this.#timer !== null) this.#clearTimer(this.#timer);
    this.#timer = null;
  }

  #wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.#timer = this.#setTimer(() => {
        this.#timer = null;
        resolve();
      }, ms);
    });
  }

  async #round(generation: number): Promise<void> {
    const samples: ClockSample[] = [];
    for (let i = 0; i < this.#samplesPerRound; i++) {
      if (i > 0) await this.#wait(this.#spacingMs);
      if (generation !== this.#generation) return;
      const sentAt = this.#now();
      try {
        const serverNow = await this.#ask();
        if (Number.isFinite(serverNow)) samples.push({ sentAt, serverNow, receivedAt: this.#now() });
      } catch {
        // A lost sample is fine; the others still count.
      }
      if (generation !== this.#generation) return;
    }
    const estimate = estimateClockOffset(samples);
    if (estimate) {
      this.offsetMs = estimate.offsetMs;
      this.rttMs = estimate.rttMs;
    }
    this.#timer = this.#setTimer(() => {
      this.#timer = null;
      if (generation === this.#generation) void this.#round(generation);
    }, this.#resampleMs);
  }
}
