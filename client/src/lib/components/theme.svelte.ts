import { readPref, writePref } from './prefs';

export type ThemeChoice = 'system' | 'light' | 'dark';
const CHOICES: readonly ThemeChoice[] = ['system', 'light', 'dark'];
const isChoice = (v: unknown): v is ThemeChoice => (CHOICES as readonly unknown[]).includes(v);

/** Sets `data-theme` on <html>; app.css picks the tokens from it ('system' follows prefers-color-scheme). */
export function applyTheme(choice: ThemeChoice, root: HTMLElement = document.documentElement): void {
  if (choice === 'system') delete root.dataset.theme;
  else root.dataset.theme = choice;
}

/** The colour scheme this person chose (remembered), and the one in effect. */
export class Theme {
  choice = $state<ThemeChoice>(readPref('theme', isChoice, 'system'));
  #systemDark = $state(false);

  constructor() {
    const mq = globalThis.matchMedia?.('(prefers-color-scheme: dark)');
    if (mq) {
      this.#systemDark = mq.matches;
      mq.addEventListener('change', (e) => (this.#systemDark = e.matches));
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
