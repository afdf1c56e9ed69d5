import * as Y from 'yjs';
import { describe, expect, it } from 'vitest';
import { marker, scanMarkers } from '../../bench/marker';
import { readCpu, readMemory } from '../../bench/proc';
import { percentile, ratio, Samples, summarize } from '../../bench/stats';
import { benchConfig } from '../../bench/config';

const found = (bytes: Uint8Array): [number, number][] => {
  const out: [number, number][] = [];
  scanMarkers(Buffer.from(bytes), 0, (id, t) => out.push([id, t]));
  return out;
};

describe('bench light receivers read edit markers from raw Yjs updates', () => {
  it('finds the marker of an insert in the update bytes, without a Y.Doc on the receiving side', () => {
    const doc = new Y.Doc();
    const updates: Uint8Array[] = [];
    doc.on('update', (u: Uint8Array) => updates.push(u));
    doc.getText('t').insert(0, marker(42, 123456789));
    expect(found(updates[0]!)).toEqual([[42, 123456789]]);
  });

  it('finds every marker in a merged update, as the server sends one frame per tick', () => {
    const doc = new Y.Doc();
    const updates: Uint8Array[] = [];
    doc.on('update', (u: Uint8Array) => updates.push(u));
    const text = doc.getText('t');
    for (let i = 0; i < 5; i++) text.insert(text.length, marker(i, 1000 + i));
    const ids = found(Y.mergeUpdates(updates)).map(([id]) => id);
    expect(ids.sort()).toEqual([0, 1, 2, 3, 4]);
  });

  it('ignores truncated or malformed markers', () => {
    expect(found(new TextEncoder().encode('[e12@ [e@5] [e7@9 [e3@4]'))).toEqual([[3, 4]]);
  });
});

describe('bench statistics', () => {
  it('nearest-rank percentiles over the samples', () => {
    const s = new Samples();
    for (let i = 100; i >= 1; i--) s.add(i);
    const sorted = s.sorted();
    expect(percentile(sorted, 50)).toBe(50);
    expect(percentile(sorted, 99)).toBe(99);
    expect(percentile(sorted, 100)).toBe(100);
    expect(summarize(s)).toMatchObject({ count: 100, p95: 95, max: 100 });
  });

  it('grows past its initial capacity without losing samples', () => {
    const s = new Samples();
    for (let i = 0; i < 200_000; i++) s.add(i);
    expect(s.count).toBe(200_000);
    expect(percentile(s.sorted(), 100)).toBe(199_999);
  });

  it('ratio is undefined (NaN) against a zero or missing reference', () => {
    expect(ratio(3, 2)).toBe(1.5);
    expect(ratio(1, 0)).toBeNaN();
    expect(ratio(NaN, 1)).toBeNaN();
  });
});

describe('bench process figures come from /proc', () => {
  it('reads CPU time and peak memory of a live process', () => {
    const cpu = readCpu(process.pid);
    const mem = readMemory(process.pid);
    expect(cpu.userMs + cpu.sysMs).toBeGreaterThan(0);
    expect(mem.peakRssBytes).toBeGreaterThanOrEqual(mem.rssBytes);
    expect(mem.rssBytes).toBeGreaterThan(1024 * 1024);
  });
});

describe('bench options', () => {
  it('quick mode shrinks the run; explicit values win; bad values are refused', () => {
    expect(benchConfig({ BENCH_QUICK: '1' }, [])).toMatchObject({ clients: [50], seconds: 5 });
    expect(benchConfig({ BENCH_CLIENTS: '20,30' }, ['--no-saturation'])).toMatchObject({
      clients: [20, 30],
      saturation: false,
    });
    expect(() => benchConfig({ BENCH_RATE: '-1' }, [])).toThrow(/BENCH_RATE/);
    expect(() => benchConfig({ BENCH_TARGETS: 'redis' }, [])).toThrow(/unknown target/);
    expect(() => benchConfig({}, ['--fast'])).toThrow(/unknown option/);
  });
});
