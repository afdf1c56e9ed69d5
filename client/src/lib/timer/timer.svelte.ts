import { isBool, readPref, writePref } from '../components/prefs';
import type { ServerClock } from '../sync/types';
import { chime } from './chime';

/** Whether this person muted the timer's end sound (remembered in this browser). */
class TimerSound {
  muted = $state(readPref('timer.muted', isBool, false));
  toggle(): void {
    this.muted = !this.muted;
    writePref('timer.muted', this.muted);
  }
}
export const timerSound = new TimerSound();

/**
 * The shared timer as this client sees it: milliseconds left on the server
 * clock, ticking four times a second only while something reads it, and one
 * chime when a timer this client watched running reaches zero.
 */
export class TimerClock {
  now = $state(0);
  #watchedRunning = false;

  constructor(
    private readonly clock: ServerClock,
    private readonly endsAt: () => number | null,
  ) {}

  /** Start ticking; returns the stop function (use in an $effect). */
  run(): () => void {
    const tick = (): void => {
      this.now = this.clock.now();
      const end = this.endsAt();
      if (end === null) {
        this.#watchedRunning = false;
        return;
      }
      if (end - this.now > 0) this.#watchedRunning = true;
      else if (this.#watchedRunning) {
        this.#watchedRunning = false;
        if (!timerSound.muted) chime();
      }
    };
    tick();
    const h = setInterval(tick, 250);
    return () => clearInterval(h);
  }

  get remaining(): number | null {
    const end = this.endsAt();
    return end === null ? null : end - this.now;
  }
}
