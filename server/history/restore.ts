import * as Y from 'yjs';
import { applyTextDiff } from '../../shared/ops/board';

/**
 * The smallest Yjs changes that make `target` hold what `source` holds
 * (HS4): entries missing from the source are deleted, new ones are copied,
 * shared texts are edited by a common-prefix/suffix diff, nested maps are
 * synchronised key by key, and plain values are written only when they
 * differ. Run inside one transaction: the result is one ordinary update that
 * peers merge like any other (concurrent edits elsewhere survive).
 */
export function syncMap(target: Y.Map<unknown>, source: Y.Map<unknown>, depth = 0): void {
  if (depth > 8) return;
  for (const key of [...target.keys()]) if (!source.has(key)) target.delete(key);
  source.forEach((value, key) => {
    const current = target.get(key);
    if (value instanceof Y.Map) {
      if (current instanceof Y.Map) syncMap(current, value, depth + 1);
      else target.set(key, copyType(value, depth + 1));
    } else if (value instanceof Y.Text) {
      if (current instanceof Y.Text) applyTextDiff(current, value.toString());
      else target.set(key, new Y.Text(value.toString()));
    } else if (value instanceof Y.AbstractType) {
      // No other shared types are part of the schema: leave them out.
      if (current !== undefined) target.delete(key);
    } else if (current instanceof Y.AbstractType || !sameValue(current, value)) {
      target.set(key, value);
    }
  });
}

function copyType(source: Y.Map<unknown>, depth: number): Y.Map<unknown> {
  const out = new Y.Map<unknown>();
  if (depth > 8) return out;
  source.forEach((value, key) => {
    if (value instanceof Y.Map) out.set(key, copyType(value, depth + 1));
    else if (value instanceof Y.Text) out.set(key, new Y.Text(value.toString()));
    else if (!(value instanceof Y.AbstractType)) out.set(key, value);
  });
  return out;
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  return JSON.stringify(a) === JSON.stringify(b);
}
