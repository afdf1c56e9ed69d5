import type { Nodes, PhrasingContent } from 'mdast';
import { toString } from 'mdast-util-to-string';

/**
 * Reading one table cell's inline Markdown (mdast phrasing nodes): its plain
 * text, its links, and the "**Speaker** (Affiliation): Talk title (link)"
 * shape that workshop pages use. Regular expressions here only ever see the
 * text of a single cell.
 */

export interface CellLink {
  url: string;
  text: string;
}

export interface TalkCell {
  speaker: string;
  affiliation: string;
  /** The talk's title without Markdown and without bare URLs; '' when the cell gives none. */
  title: string;
  url: string;
}

/** Collapses runs of white space (including &nbsp;) and trims. */
export const squash = (s: string): string => s.replace(/[\s\u00a0]+/gu, ' ').trim();

const looksLikeUrl = (s: string): boolean => /^(?:https?:\/\/|www\.)\S+$/iu.test(s.trim());

/** Plain text of inline nodes; `<br>` and other inline HTML become a space. */
export function plainText(nodes: readonly Nodes[]): string {
  return squash(nodes.map((n) => (n.type === 'html' ? ' ' : toString(n, { includeHtml: false }))).join(''));
}

export function linksIn(nodes: readonly Nodes[]): CellLink[] {
  const out: CellLink[] = [];
  const walk = (n: Nodes): void => {
    if (n.type === 'link') out.push({ url: n.url, text: squash(toString(n)) });
    else if ('children' in n) for (const c of n.children) walk(c as Nodes);
  };
  nodes.forEach(walk);
  return out;
}

/**
 * Text of inline nodes for use as a title: links whose text is their own URL
 * are dropped (the URL is kept separately), and brackets left empty by that
 * are removed along with the separators before them.
 */
export function titleText(nodes: readonly Nodes[]): string {
  const parts = nodes.map((n): string => {
    if (n.type === 'html') return ' ';
    if (n.type === 'link') {
      const text = squash(toString(n));
      return looksLikeUrl(text) ? '' : text;
    }
    if ('children' in n) return titleText(n.children as Nodes[]);
    return toString(n);
  });
  return squash(
    squash(parts.join(''))
      .replace(/\(\s*\)|\[\s*\]/gu, '')
      .replace(/\s*[:\-–—,]\s*$/u, ''),
  );
}

/** `(text)` at the start of `s`, with nested brackets, or null. */
function leadingParenthesis(s: string): { inner: string; rest: string } | null {
  const t = s.trimStart();
  if (!t.startsWith('(')) return null;
  let depth = 0;
  for (let i = 0; i < t.length; i++) {
    if (t[i] === '(') depth++;
    else if (t[i] === ')' && --depth === 0) return { inner: squash(t.slice(1, i)), rest: t.slice(i + 1) };
  }
  return null;
}

/** Words that start session titles, never names. */
const SESSION_WORDS =
  /\b(?:keynote|session|welcome|intro(?:duction)?|opening|closing|break|lunch|panel|workshop|discussion|talk|tutorial|demo|poster|q&a|part|track|day|room|plenary|update)\b/iu;

/**
 * Whether bold text at the start of a cell names a speaker: no digits, no
 * session words, and, unless an affiliation follows, at most five
 * capitalised words ("Marco Lorenzi", "Julien Cohen-Adad", "Ana de la Cruz").
 */
function looksLikePerson(text: string, hasAffiliation: boolean): boolean {
  if (text === '' || /\d/u.test(text) || SESSION_WORDS.test(text)) return false;
  if (hasAffiliation) return true;
  const words = text.split(' ');
  return words.length >= 2 && words.length <= 5 && words.some((w) => /^\p{Lu}/u.test(w));
}

/** Leading separator between speaker and title: ":", " - ", "–", "—". */
const SEPARATOR = /^\s*(?::|[-–—](?=\s))\s*/u;

/** Splits inline nodes after the text offset `skip` of their plain text (used after a speaker prefix). */
function dropPrefix(nodes: readonly PhrasingContent[], skip: number): PhrasingContent[] {
  const out: PhrasingContent[] = [];
  let left = skip;
  for (const n of nodes) {
    if (left <= 0) {
      out.push(n);
      continue;
    }
    const len = n.type === 'html' ? 0 : toString(n).length;
    if (len <= left) {
      left -= len;
      continue;
    }
    // Only text nodes straddle the prefix in practice (the prefix is "(Affiliation): ").
    if (n.type === 'text') out.push({ type: 'text', value: n.value.slice(left) });
    else out.push(n);
    left = 0;
  }
  return out;
}

/**
 * Reads `**Speaker** (Affiliation): Title ([url](url))`. Returns null when
 * the cell does not start with bold text followed by an affiliation or a
 * separator: a bold title on its own ("**Lunch**") is a title, not a speaker.
 */
export function readTalkCell(nodes: readonly PhrasingContent[]): TalkCell | null {
  const content = nodes.filter((n) => !(n.type === 'text' && n.value.trim() === ''));
  const first = content[0];
  if (!first || first.type !== 'strong') return null;
  const speaker = squash(toString(first));
  const after = nodes.slice(nodes.indexOf(first) + 1);
  const afterText = after.map((n) => (n.type === 'html' ? '' : toString(n))).join('');
  let consumed = 0;
  let affiliation = '';
  const paren = leadingParenthesis(afterText);
  if (paren) {
    affiliation = paren.inner;
    consumed = afterText.length - paren.rest.length;
  }
  const sep = SEPARATOR.exec(afterText.slice(consumed));
  if (sep) consumed += sep[0].length;
  else if (!paren) return null;
  // Without an affiliation, "**Keynote**: …" or "**Session 1** – …" is a bold title, not a person.
  if (!looksLikePerson(speaker, paren !== null)) return null;
  const rest = dropPrefix(after, consumed);
  const url = linksIn(rest)[0]?.url ?? '';
  return { speaker, affiliation, title: titleText(rest), url };
}

export interface PersonCell {
  speaker: string;
  affiliation: string;
  url: string;
}

/** Speaker columns often hold a placeholder instead of a person. */
const PLACEHOLDER =
  /^(?:n\.?\s?a\.?|n\/a|tb[ad]\.?|to be (?:announced|determined|confirmed)|all|everyone|everybody|none|-+|–|—|\?+|\.+)$/iu;

/** A speaker/presenter column: "Name", "[Name](url)", "Name (Affiliation)", or a placeholder. */
export function readPersonCell(nodes: readonly PhrasingContent[]): PersonCell {
  const text = titleText(nodes);
  const url = linksIn(nodes)[0]?.url ?? '';
  if (text === '' || PLACEHOLDER.test(text)) return { speaker: '', affiliation: '', url: '' };
  const open = text.indexOf('(');
  if (open > 0 && text.endsWith(')')) {
    const paren = leadingParenthesis(text.slice(open));
    if (paren && squash(paren.rest) === '')
      return { speaker: squash(text.slice(0, open)), affiliation: paren.inner, url };
  }
  return { speaker: text, affiliation: '', url };
}
