#!/usr/bin/env node
// `npm test`: static checks, then the whole Vitest suite, then one plain summary line.
// Optional dependencies (Chromium, later PostgreSQL/Redis) are detected by the tests
// themselves: without them their tests are skipped and named here; with CI=true a
// missing one fails the run instead.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const ci = process.env.CI === 'true' || process.env.CI === '1';
const bin = (name) => path.join('node_modules', '.bin', name);
const run = (label, cmd, args) => {
  console.log(`\n> ${label}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit' });
  return r.status === 0;
};

const checks = [
  ['types (server, shared, tests)', bin('tsc'), ['--noEmit', '-p', 'tsconfig.json']],
  [
    'types (client, svelte-check)',
    bin('svelte-check'),
    ['--tsconfig', './client/tsconfig.json', '--threshold', 'error'],
  ],
  ['lint (eslint)', bin('eslint'), ['.']],
  ['format (prettier --check)', bin('prettier'), ['--check', '.', '--log-level', 'warn']],
  ['spec (every rule of docs/SPEC.md cited by a test)', process.execPath, ['scripts/spec-citations.mjs']],
  [
    'protocol codes (every close and denial code documented and produced)',
    process.execPath,
    ['scripts/protocol-codes.mjs'],
  ],
];
let failedChecks = 0;
for (const [label, cmd, args] of checks) if (!run(label, cmd, args)) failedChecks++;

const out = mkdtempSync(path.join(tmpdir(), 'plenary-vitest-'));
const report = path.join(out, 'report.json');
const ok = run('tests (vitest)', bin('vitest'), [
  'run',
  '--reporter=default',
  '--reporter=json',
  `--outputFile.json=${report}`,
]);

let passed = 0;
let failed = 0;
let skipped = 0;
const skippedFiles = new Set();
if (existsSync(report)) {
  const r = JSON.parse(readFileSync(report, 'utf8'));
  passed = r.numPassedTests;
  failed = r.numFailedTests;
  skipped = r.numPendingTests + r.numTodoTests;
  for (const f of r.testResults) {
    if (f.assertionResults.some((a) => a.status === 'pending' || a.status === 'skipped'))
      skippedFiles.add(path.relative(process.cwd(), f.name));
  }
}
rmSync(out, { recursive: true, force: true });

if (skippedFiles.size > 0) {
  console.log(`\nSkipped tests (a dependency is missing) in:\n  ${[...skippedFiles].join('\n  ')}`);
  console.log('Browser tests need Chromium: apt-get install chromium (or set CHROMIUM_PATH).');
}
if (failedChecks > 0) console.log(`\n${failedChecks} static check(s) failed (see above).`);
console.log(`\nTests: ${passed} passed, ${failed + (ok || failed ? 0 : 1)} failed, ${skipped} skipped`);
process.exit(ok && failedChecks === 0 && !(ci && skipped > 0) ? 0 : 1);
