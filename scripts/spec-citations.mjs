#!/usr/bin/env node
// Every numbered rule of docs/SPEC.md is cited by at least one test name
// (`describe('G3: votes', …)`, `it('D1: …')` or a list such as 'AG2, AG3: …').
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const spec = readFileSync('docs/SPEC.md', 'utf8');
const rules = [...spec.matchAll(/^- \*\*([A-Z]+\d+) /gm)].map((m) => m[1]);

const files = [];
const walk = (dir) => {
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (/\.test\.ts$/.test(name)) files.push(p);
  }
};
walk('tests');
walk('client/src');
const names = files
  .flatMap((f) => [
    ...readFileSync(f, 'utf8').matchAll(/\b(?:describe|it|test)(?:\.\w+(?:\([^)]*\))?)*\(\s*(['"`])(.*?)\1/g),
  ])
  .map((m) => m[2]);

const uncited = rules.filter((id) => !names.some((n) => new RegExp(`\\b${id}\\b(?=[:,/ ])`).test(n)));
if (uncited.length > 0) {
  console.error(`SPEC rules cited by no test name: ${uncited.join(', ')}`);
  process.exit(1);
}
console.log(`All ${rules.length} SPEC rules are cited by test names.`);
