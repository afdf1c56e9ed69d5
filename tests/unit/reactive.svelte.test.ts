import { flushSync } from 'svelte';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { YDocView, YView } from '../../client/src/lib/sync/reactive.svelte';

describe('YView: Yjs content as runes', () => {
  it('re-runs effects on change and observes only while rendered', async () => {
    const doc = new Y.Doc();
    const map = doc.getMap<number>('m');
    let reads = 0;
    const view = new YView(map, () => {
      reads++;
      return map.size;
    });
    const seen: number[] = [];
    const stop = $effect.root(() => {
      $effect(() => {
        seen.push(view.current);
      });
    });
    flushSync();
    map.set('a', 1);
    flushSync();
    map.set('b', 2);
    flushSync();
    expect(seen).toEqual([0, 1, 2]);
    // Recomputed once per change, not once per read.
    const before = reads;
    expect(view.current + view.current).toBe(4);
    expect(reads).toBe(before);
    stop();
    // createSubscriber lets go in a microtask.
    await Promise.resolve();
    await Promise.resolve();
    // Nobody renders it: no observer left on the Yjs type, and reads are fresh.
    expect((map as unknown as { _dEH: { l: unknown[] } })._dEH.l.length).toBe(0);
    map.set('c', 3);
    expect(view.current).toBe(3);
  });

  it('YDocView follows changes in any root of the document', () => {
    const doc = new Y.Doc();
    const view = new YDocView(doc, () => doc.getText('t').toString() + doc.getMap('m').size);
    const seen: string[] = [];
    const stop = $effect.root(() => {
      $effect(() => {
        seen.push(view.current);
      });
    });
    flushSync();
    doc.getText('t').insert(0, 'x');
    flushSync();
    doc.getMap('m').set('k', 1);
    flushSync();
    stop();
    expect(seen).toEqual(['0', 'x0', 'x1']);
  });
});
