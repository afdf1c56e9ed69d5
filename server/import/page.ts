import type { Nodes, Root, Table } from 'mdast';
import { fromMarkdown } from 'mdast-util-from-markdown';
import { frontmatterFromMarkdown } from 'mdast-util-frontmatter';
import { gfmFromMarkdown } from 'mdast-util-gfm';
import { toString } from 'mdast-util-to-string';
import { frontmatter } from 'micromark-extension-frontmatter';
import { gfm } from 'micromark-extension-gfm';
import { squash } from './cells';
import type { PageLink } from './links';

/**
 * The page as a CommonMark + GFM tree, and the pieces of it the importer
 * reads outside the agenda table: text blocks (for the date and zone), links
 * with their surrounding text, and the title.
 */

export function parseMarkdown(markdown: string): Root {
  return fromMarkdown(markdown, {
    extensions: [gfm(), frontmatter(['yaml'])],
    mdastExtensions: [gfmFromMarkdown(), frontmatterFromMarkdown(['yaml'])],
  });
}

/** Depth-first, document order, with the chain of ancestors. */
export function walk(node: Nodes, visit: (n: Nodes, ancestors: readonly Nodes[]) => void | 'skip'): void {
  const go = (n: Nodes, ancestors: Nodes[]): void => {
    if (visit(n, ancestors) === 'skip') return;
    if ('children' in n) {
      ancestors.push(n);
      for (const c of n.children) go(c as Nodes, ancestors);
      ancestors.pop();
    }
  };
  go(node, []);
}

/**
 * Visible text of a block of raw HTML (`<h1 align="center">A <br/> B</h1>`):
 * tags become spaces, and character references are decoded by reading the
 * rest as Markdown (which also decodes `&amp;`, `&nbsp;`, `&#233;`).
 */
export function htmlText(html: string): string {
  const withoutTags = html.replace(/<!--[\s\S]*?-->/gu, ' ').replace(/<[^>]*>/gu, ' ');
  return squash(toString(fromMarkdown(withoutTags)));
}

export interface TextBlock {
  text: string;
  /** Inside this table (so the caller can tell blocks before and after it). */
  table: Table | null;
}

/** Paragraphs, headings, HTML blocks, front matter and table cells, in document order. */
export function textBlocks(tree: Root): TextBlock[] {
  const out: TextBlock[] = [];
  walk(tree, (n, ancestors) => {
    const table = (ancestors.find((a) => a.type === 'table') as Table | undefined) ?? null;
    if (n.type === 'paragraph' || n.type === 'heading' || n.type === 'tableCell') {
      out.push({ text: squash(toString(n)), table });
      return 'skip';
    }
    if (n.type === 'html') out.push({ text: htmlText(n.value), table });
    if (n.type === 'yaml') out.push({ text: n.value, table });
    return undefined;
  });
  return out.filter((b) => b.text !== '');
}

/** Every link, with the text of the paragraph, heading, list item or cell it sits in. */
export function pageLinks(tree: Root): Array<PageLink & { table: Table | null }> {
  const out: Array<PageLink & { table: Table | null }> = [];
  walk(tree, (n, ancestors) => {
    if (n.type !== 'link') return undefined;
    const block = [...ancestors]
      .reverse()
      .find((a) => a.type === 'paragraph' || a.type === 'heading' || a.type === 'tableCell');
    const table = (ancestors.find((a) => a.type === 'table') as Table | undefined) ?? null;
    out.push({ url: n.url, text: squash(toString(n)), context: block ? squash(toString(block)) : '', table });
    return 'skip';
  });
  return out;
}

/** `title:` of YAML front matter, unquoted. */
function frontMatterTitle(value: string): string {
  for (const line of value.split('\n')) {
    const m = /^title\s*:\s*(.+?)\s*$/u.exec(line);
    if (m?.[1]) return squash(m[1].replace(/^(["'])(.*)\1$/u, '$2'));
  }
  return '';
}

/** The inside of the first `<h1>…</h1>` of an HTML block, or null. */
function h1Html(html: string): string | null {
  const m = /<h1(?:\s[^>]*)?>([\s\S]*?)<\/h1\s*>/iu.exec(html);
  return m ? htmlText(m[1] ?? '') : null;
}

/**
 * The page's title: its first level-1 heading (Markdown `#` or HTML `<h1>`),
 * which is the title readers see; else the front matter's `title:`, which is
 * often a short slug-like name ("Workshop - 2023"); else the first heading.
 */
export function pageTitle(tree: Root): string {
  let h1 = '';
  let fm = '';
  let anyHeading = '';
  walk(tree, (n) => {
    if (n.type === 'yaml') {
      fm ||= frontMatterTitle(n.value);
    } else if (n.type === 'heading') {
      const text = squash(n.children.map((c) => (c.type === 'html' ? ' ' : toString(c))).join(''));
      if (n.depth === 1) h1 ||= text;
      anyHeading ||= text;
      return 'skip';
    } else if (n.type === 'html') {
      h1 ||= h1Html(n.value) ?? '';
    }
    return undefined;
  });
  return h1 || fm || anyHeading;
}
