import type { Response } from 'express';
import { HttpError } from '../http/context';

/** Kinds of heavy routes: each has slots of its own, so one kind cannot starve another. */
export type SlotKind = 'exports' | 'suggest' | 'history';

/**
 * Per-route-kind concurrency limits of heavy work (issue 17, HV2): at most
 * `max[kind]` requests of a kind run at a time on this instance; one more is
 * answered 503 with `Retry-After` at once instead of queueing behind the
 * others (a queue would hold its memory and answer late anyway).
 */
export class Slots {
  private readonly running: Record<SlotKind, number> = { exports: 0, suggest: 0, history: 0 };

  constructor(
    private readonly max: Record<SlotKind, number>,
    private readonly retryAfterS = 2,
  ) {}

  async run<T>(kind: SlotKind, res: Response, work: () => Promise<T>): Promise<T> {
    if (this.running[kind] >= this.max[kind]) {
      res.set('retry-after', String(this.retryAfterS));
      throw new HttpError(
        503,
        'busy',
        `this server is working on ${this.max[kind]} such requests already; try again in ${this.retryAfterS} s`,
      );
    }
    this.running[kind]++;
    try {
      return await work();
    } finally {
      this.running[kind]--;
    }
  }
}
