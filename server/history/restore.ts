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
  source.forEach((_value, key) => syncEntry(target, source, key, depth));
}

/** `syncMap` for one key: after it, `target.get(key)` holds what `source.get(key)` holds. */
function syncEntry(target: Y.Map<unknown>, source: Y.Map<unknown>, key: string, depth: number): void {
  if (!source.has(key)) {
    if (target.has(key)) target.delete(key);
    return;
  }
  const value = source.get(key);
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
}

/** Entries per step of a planned restore: each step is one change the live room applies on its own. */
export const RESTORE_STEP = 250;

/**
 * HS4 computed away from the live document (in a worker thread): a copy of
 * the current state (`current`) is brought to the snapshot's (`source`) root
 * by root, `step` entries at a time, and each step's Yjs update is returned
 * in order. Applied one after the other to the live document they make the
 * same change as `syncMap` would in one go, while the event loop stays free
 * between steps; concurrent edits made meanwhile merge like any others.
 */
export function planRestore(
  current: Uint8Array[],
  source: Uint8Array[],
  roots: readonly string[],
  step = RESTORE_STEP,
): Uint8Array[] {
  const target = new Y.Doc();
  const from = new Y.Doc();
  try {
    target.transact(() => current.forEach((u) => Y.applyUpdate(target, u)));
    from.transact(() => source.forEach((u) => Y.applyUpdate(from, u)));
    const steps: Uint8Array[] = [];
    target.on('update', (u: Uint8Array) => steps.push(u));
    for (const root of roots) {
      const to = target.getMap<unknown>(root);
      const src = from.getMap<unknown>(root);
      const keys = [...new Set([...to.keys(), ...src.keys()])];
      for (let i = 0; i < keys.length; i += step)
        target.transact(() => {
          for (const key of keys.slice(i, i + step)) syncEntry(to, src, key, 0);
        });
    }
    return steps;
  } finally {
    target.destroy();
    from.destroy();
  }
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
