import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BUNDLED_DEMO_FILE, demoMarkdown, demoPage, seedFile } from '../../server/demo';
import { parseAgendaPage } from '../../server/import/markdown-agenda';

const temps: string[] = [];
afterEach(() => {
  for (const d of temps.splice(0)) rmSync(d, { recursive: true, force: true });
});
const tempDir = (): string => {
  const d = mkdtempSync(path.join(tmpdir(), 'plenary-demo-'));
  temps.push(d);
  return d;
};

describe('demo board page', () => {
  it('uses SEED_FILE when it names an existing page', () => {
    const dir = tempDir();
    const file = path.join(dir, 'page.md');
    writeFileSync(file, '| Time | Topic |\n|---|---|\n| 10:00 | Mine |\n');
    expect(demoPage({ env: { SEED_FILE: file } })).toMatchObject({ source: 'seed', file });
    expect(demoMarkdown({ env: { SEED_FILE: file } })).toContain('Mine');
  });

  it('looks for ../shared/seed/workshop-2023.md beside the repository', () => {
    const root = path.join(tempDir(), 'main');
    expect(seedFile({ env: {}, repoRoot: root })).toBe(path.resolve(root, '../shared/seed/workshop-2023.md'));
  });

  it('falls back to the bundled fictional workshop when no seed exists, and that page imports cleanly', () => {
    const page = demoPage({ env: {}, repoRoot: path.join(tempDir(), 'main') });
    expect(page).toMatchObject({ source: 'bundled', file: BUNDLED_DEMO_FILE });
    const result = parseAgendaPage(page.markdown);
    expect(result.warnings).toEqual([]);
    expect(result.meta).toMatchObject({
      title: 'Open Data for Coastal Flood Forecasting',
      date: '2025-03-13',
      timeZone: 'Europe/Berlin',
    });
    expect(Object.keys(result.meta.links).sort()).toEqual(['meeting', 'registration', 'whiteboard']);
    expect(result.items).toHaveLength(10);
    expect(new Set(result.items.map((i) => i.kind))).toEqual(
      new Set(['talk', 'break', 'discussion', 'other']),
    );
    // "Adjourn" at 16:00 ends the last item rather than becoming one.
    expect(result.items.at(-1)).toMatchObject({
      start: '15:00',
      minutes: 60,
      title: 'Discussion, next steps, assign tasks',
    });
  });
});
