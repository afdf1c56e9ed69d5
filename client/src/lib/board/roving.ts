import type { Action } from 'svelte/action';

const FOCUSABLE = 'button, select, textarea, input, a[href], [tabindex]';

/**
 * Roving focus for a list of notes (WAI-ARIA "roving tabindex"): the list is
 * one tab stop (the active note), not four or five per note. Inside the active
 * note Tab reaches its own controls; the others' controls are skipped until
 * that note becomes active (arrow keys, Home/End, or a click). The action sets
 * `tabindex` on the item and its controls, and again whenever they re-render.
 */
export const rovingItem: Action<HTMLElement, boolean> = (node, active) => {
  let isActive = active ?? false;
  const apply = (): void => {
    node.tabIndex = isActive ? 0 : -1;
    for (const el of node.querySelectorAll<HTMLElement>(FOCUSABLE)) {
      if (el === node) continue;
      if (isActive) {
        if (el.dataset.rovingHidden) {
          el.removeAttribute('tabindex');
          delete el.dataset.rovingHidden;
        }
      } else if (el.tabIndex >= 0) {
        el.tabIndex = -1;
        el.dataset.rovingHidden = '1';
      }
    }
  };
  const observer = new MutationObserver(apply);
  observer.observe(node, { childList: true, subtree: true });
  apply();
  return {
    update(next) {
      isActive = next ?? false;
      apply();
    },
    destroy() {
      observer.disconnect();
    },
  };
};

/** Arrow keys, Home and End move between the items of `list` (elements with `data-note-id`). */
export function moveFocus(list: HTMLElement, from: HTMLElement, key: string): HTMLElement | null {
  const items = [...list.querySelectorAll<HTMLElement>('li[data-note-id]')];
  const i = items.indexOf(from);
  if (i < 0) return null;
  const next =
    key === 'ArrowDown'
      ? items[Math.min(items.length - 1, i + 1)]
      : key === 'ArrowUp'
        ? items[Math.max(0, i - 1)]
        : key === 'Home'
          ? items[0]
          : key === 'End'
            ? items[items.length - 1]
            : null;
  return next ?? null;
}
