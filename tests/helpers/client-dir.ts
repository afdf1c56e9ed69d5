import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { precompressDir } from '../../scripts/precompress';

/**
 * A client directory laid out as Vite's build lays it out (hashed assets
 * under assets/, index.html, the service worker and an icon from public/),
 * compressed by the step the build runs (scripts/precompress.ts).
 */
export interface ClientDir {
  dir: string;
  /** The hashed entry script, relative to `dir`. */
  entry: string;
  /** Its text, long enough to be compressed. */
  script: string;
  remove(): void;
}

export async function makeClientDir(): Promise<ClientDir> {
  const dir = mkdtempSync(path.join(tmpdir(), 'plenary-client-'));
  const entry = 'assets/index-Ab3_x-9Z.js';
  const script = `export const notes = [${Array.from({ length: 400 }, (_, i) => `"idea ${i}"`).join(',')}];\n`;
  mkdirSync(path.join(dir, 'assets'));
  writeFileSync(
    path.join(dir, 'index.html'),
    `<!doctype html><html><head><script type="module" src="/${entry}"></script></head><body></body></html>`,
  );
  writeFileSync(path.join(dir, entry), script);
  writeFileSync(path.join(dir, `${entry}.map`), '{}'.padEnd(4000, ' '));
  writeFileSync(path.join(dir, 'sw.js'), `// service worker\n${'self.x = 1;\n'.repeat(200)}`);
  writeFileSync(path.join(dir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  await precompressDir(dir);
  return { dir, entry, script, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
