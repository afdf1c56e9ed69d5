import { simpleDiffStringWithCursor } from 'lib0/diff';
import * as Y from 'yjs';
import type { Origin } from '$shared/schema';
import { withWriter } from '../sync/anonymous';

/**
 * Binds a Y.Text to a plain <textarea> or <input> as a Svelte action, so
 * several people can type in the same task title at once: local typing
 * becomes minimal character edits (not whole-string replacements, which would
 * drop a concurrent edit), and remote edits keep the local caret in place.
 */
export interface TextBinding {
  text: Y.Text;
  origin: Origin;
  readonly: boolean;
  /** Yjs client id to write under (an anonymous note's, see sync/anonymous.ts); the document's by default. */
  writerId?: number;
}

type Field = HTMLTextAreaElement | HTMLInputElement;

export function bindYText(node: Field, params: TextBinding) {
  let { text, origin, writerId } = params;
  let value = text.toString();
  node.value = value;
  node.readOnly = params.readonly;

  const onInput = (): void => {
    if (node.readOnly) return;
    const next = node.value;
    const d = simpleDiffStringWithCursor(value, next, node.selectionEnd ?? next.length);
    value = next;
    if (d.remove === 0 && d.insert === '') return;
    const doc = text.doc;
    if (!doc) return;
    withWriter(doc, writerId, () =>
      doc.transact(() => {
        if (d.remove > 0) text.delete(d.index, d.remove);
        if (d.insert !== '') text.insert(d.index, d.insert);
      }, origin),
    );
  };

  const onRemote = (event: Y.YTextEvent, tr: Y.Transaction): void => {
    if (tr.origin === origin) return;
    // Move the caret by whatever was inserted or deleted before it.
    const focused = document.activeElement === node;
    const shift = (pos: number): number => {
      let index = 0;
      let out = pos;
      for (const op of event.delta) {
        if (op.retain !== undefined) index += op.retain;
        else if (typeof op.insert === 'string') {
          if (index <= pos) out += op.insert.length;
          index += op.insert.length;
        } else if (op.delete !== undefined) {
          if (index < pos) out -= Math.min(op.delete, pos - index);
        }
      }
      return out;
    };
    const start = node.selectionStart ?? 0;
    const end = node.selectionEnd ?? 0;
    value = text.toString();
    node.value = value;
    if (focused) node.setSelectionRange(shift(start), shift(end));
  };

  node.addEventListener('input', onInput);
  text.observe(onRemote);

  return {
    update(next: TextBinding): void {
      node.readOnly = next.readonly;
      origin = next.origin;
      writerId = next.writerId;
      if (next.text !== text) {
        text.unobserve(onRemote);
        text = next.text;
        value = text.toString();
        node.value = value;
        text.observe(onRemote);
      }
    },
    destroy(): void {
      node.removeEventListener('input', onInput);
      text.unobserve(onRemote);
    },
  };
}
