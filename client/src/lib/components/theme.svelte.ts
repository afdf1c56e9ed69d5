import { readPref, writePref } from './prefs';

export type ThemeChoice = 'system' | 'light' | 'dark';
const CHOICES: readonly ThemeChoice[] = ['system', 'light', 'dark'];
const isChoice = (v: unknown): v is ThemeChoice => (CHOICES as readonly unknown[]).includes(v);

const systemScheme = (): 'light' | 'dark' =>
  globalThis.matchMedia?.('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';

/**
 * Sets `data-theme` on <html> to the scheme shown ('system': the system's now),
 * so app.css writes the dark tokens once, for `[data-theme='dark']`.
 */
export function applyTheme(choice: ThemeChoice, root: HTMLElement = document.documentElement): void {
  root.dataset.theme = choice === 'system' ? systemScheme() : choice;
}

/** The colour scheme this person chose (remembered), and the one in effect. */
export class Theme {
  choice = $state<ThemeChoice>(readPref('theme', isChoice, 'system'));
  #systemDark = $state(false);

  constructor() {
    const mq = globalThis.matchMedia?.('(prefers-color-scheme: dark)');
    if (mq) {
      this.#systemDark = mq.matches;
      mq.addEventListener('change', (e) => {
        this.#systemDark = e.matches;
        if (this.choice === 'system') applyTheme('system');
      });
    }
  }

  get dark(): boolean {
    return this.choice === 'dark' || (this.choice === 'system' && this.#systemDark);
  }

  /** Switches to the other scheme than the one shown, and remembers it. */
  toggle(): void {
    this.set(this.dark ? 'light' : 'dark');
  }

  set(choice: ThemeChoice): void {
    this.choice = choice;
    writePref('theme', choice);
    applyTheme(choice);
  }
}

/** Before the first render: the remembered scheme, so the page never flashes the other one. */
export function applyStoredTheme(): void {
  applyTheme(readPref('theme', isChoice, 'system'));
}

/** One per page. */
export const theme = typeof window === 'undefined' ? null : new Theme();
