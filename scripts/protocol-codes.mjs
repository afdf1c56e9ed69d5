#!/usr/bin/env node
// Every denial code and close code of shared/protocol is documented in docs/protocol.md (a row of
// its table) and produced somewhere in server/ (or in shared/policy, whose denials the server's
// gate returns), as spec-citations.mjs does for the SPEC's rules (issue 21 item 5). A code nobody
// sends, or one a client cannot look up, fails `npm test`.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const protocol = readFileSync('shared/protocol/index.ts', 'utf8');
const docs = readFileSync('docs/protocol.md', 'utf8');

const closeBlock = /export const CLOSE = \{([\s\S]*?)\} as const/.exec(protocol)?.[1] ?? '';
const closes = [...closeBlock.matchAll(/^\s*(\w+): (\d+),/gm)].map((m) => ({ name: m[1], code: m[2] }));
const denialBlock = /export type DenialCode =([\s\S]*?);/.exec(protocol)?.[1] ?? '';
const denials = [...denialBlock.matchAll(/'([a-z-]+)'/g)].map((m) => m[1]);
if (closes.length === 0 || denials.length === 0) {
  console.error('protocol-codes: could not read CLOSE or DenialCode from shared/protocol/index.ts');
  process.exit(1);
}

const sources = [];
const walk = (dir) => {
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (/\.(ts|mjs)$/.test(name) && !/\.test\.ts$/.test(name)) sources.push(readFileSync(p, 'utf8'));
  }
};
walk('server');
walk('shared/policy');
const code = sources.join('\n');

const problems = [];
for (const { name, code: n } of closes) {
  if (!new RegExp(`^\\| ${n} \\|`, 'm').test(docs))
    problems.push(`close code ${n} (${name}) has no row in docs/protocol.md`);
  if (!new RegExp(`\\bCLOSE\\.${name}\\b`).test(code))
    problems.push(`close code ${n} (CLOSE.${name}) is sent nowhere in server/`);
}
for (const d of denials) {
  if (!new RegExp(`^\\| \`${d}\` `, 'm').test(docs))
    problems.push(`denial code ${d} has no row in docs/protocol.md`);
  if (!code.includes(`'${d}'`))
    problems.push(`denial code ${d} is produced nowhere in server/ or shared/policy`);
}
// And the other way: a row for a code the protocol no longer has (a client would wait for it in vain).
const denialTable = docs.slice(
  docs.indexOf('Denial codes ('),
  docs.indexOf('\n## ', docs.indexOf('Denial codes (')),
);
for (const m of denialTable.matchAll(/^\| `([a-z-]+)` /gm))
  if (!denials.includes(m[1]))
    problems.push(`docs/protocol.md documents denial code ${m[1]}, which shared/protocol does not have`);
const closeTable = docs.slice(
  docs.indexOf('## Close codes'),
  docs.indexOf('\n## ', docs.indexOf('## Close codes') + 3),
);
for (const m of closeTable.matchAll(/^\| (\d{4}) \|/gm))
  if (!closes.some((c) => c.code === m[1]))
    problems.push(`docs/protocol.md documents close code ${m[1]}, which shared/protocol does not have`);
if (problems.length > 0) {
  console.error(problems.join('\n'));
  process.exit(1);
}
console.log(
  `All ${closes.length} close codes and ${denials.length} denial codes are documented and produced.`,
);
