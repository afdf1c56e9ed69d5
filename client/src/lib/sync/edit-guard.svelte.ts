/**
 * Runs a person's edit through one gate: refused with a message when their
 * link cannot write, and any validation error (operations throw RangeError
 * and friends with readable messages) kept for display next to the controls.
 */
export class EditGuard {
  /** Last refusal or validation error; null after a successful edit. */
  error = $state<string | null>(null);

  constructor(
    private readonly canEdit: () => boolean,
    private readonly refusal: string,
  ) {}

  run<T>(fn: () => T): T | null {
    if (!this.canEdit()) {
      this.error = this.refusal;
      return null;
    }
    try {
      const out = fn();
      this.error = null;
      return out;
    } catch (e) {
      this.error = e instanceof Error ? e.message : String(e);
      return null;
    }
  }
}
