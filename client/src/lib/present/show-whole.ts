import type { Action } from 'svelte/action';

/**
 * Shows only the items of a box that fit in it whole (issue 20 item 8): on a
 * projector a note or a question cut in half, or a vote count cut off, reads
 * as a different sentence. The box keeps its size from the layout (a grid
 * area with `min-height: 0; overflow: hidden`); the items matching `selector`
 * are laid out in order, and the first one that would reach past the box's
 * bottom or right edge is hidden with every one after it. Measured again when
 * the box changes size or its content changes. Which items exist is the
 * caller's (ranked, at most a few); this only decides how many are shown.
 */
export const showWhole: Action<HTMLElement, string> = (box, selector) => {
  let sel = selector;
  let frame = 0;

  const fit = (): void => {
    frame = 0;
    const items = [...box.querySelectorAll<HTMLElement>(sel)];
    for (const el of items) el.style.removeProperty('display');
    const limit = box.getBoundingClientRect();
    let out = false;
    for (const el of items) {
      if (!out) {
        const r = el.getBoundingClientRect();
        out = r.bottom > limit.bottom + 0.5 || r.right > limit.right + 0.5;
      }
      if (out) el.style.display = 'none';
    }
  };
  // One measurement per frame, after Svelte's updates of that frame.
  const later = (): void => {
    if (frame === 0) frame = requestAnimationFrame(fit);
  };

  const sizes = new ResizeObserver(later);
  sizes.observe(box);
  const changes = new MutationObserver(later);
  changes.observe(box, { childList: true, subtree: true, characterData: true });
  fit();

  return {
    update(next: string) {
      sel = next;
      later();
    },
    destroy() {
      sizes.disconnect();
      changes.disconnect();
      if (frame !== 0) cancelAnimationFrame(frame);
    },
  };
};
