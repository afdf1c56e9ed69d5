/**
 * Load-time audit (rule G6): a document stored before the rule gate existed
 * may hold what the gate now refuses (unknown roots, values of the wrong type
 * or nested without bound, texts over their limit). Such content is removed in
 * one transaction with the given (server) origin, so it is stored, sent to no
 * one, and never encoded for a client again.
 */
import * as Y from 'yjs';
import { fieldAt, SHAPE, type Field, type MapField } from '../../../shared/schema/shape';
import type { DocKind, Origin } from '../../../shared/schema';

/** What was wrong and removed, as short descriptions for the log. Empty when nothing was. */
export function auditDocument(kind: DocKind, doc: Y.Doc, origin: Origin): string[] {
  const problems: string[] = [];
  const doomed: Y.Item[] = [];
  const tooLong: [Y.Text, number][] = [];
  const note = (path: readonly string[], what: string): void => {
    if (problems.length < 100) problems.push(`${[...path].join('.').slice(0, 80)}: ${what}`);
  };

  const everything = (type: Y.AbstractType<unknown>): void => {
    for (const item of type._map.values()) if (!item.deleted) doomed.push(item);
    for (let it = type._start; it !== null; it = it.right) if (!it.deleted) doomed.push(it);
  };

  const fits = (item: Y.Item, field: Field): boolean => {
    const c = item.content;
    if (field.kind === 'value')
      return c instanceof Y.ContentAny && c.arr.length === 1 && field.check(c.arr[0]);
    if (!(c instanceof Y.ContentType)) return false;
    return field.kind === 'map' ? c.type.constructor === Y.Map : c.type.constructor === Y.Text;
  };

  const walkText = (type: Y.AbstractType<unknown>, max: number, path: readonly string[]): void => {
    for (const item of type._map.values()) if (!item.deleted) doomed.push(item);
    for (let it = type._start; it !== null; it = it.right) {
      if (!it.deleted && !(it.content instanceof Y.ContentString)) {
        note(path, 'non-text content in a text');
        doomed.push(it);
      }
    }
    const t = type as Y.Text;
    if (t.length > max) {
      note(path, `text of ${t.length} characters (limit ${max})`);
      tooLong.push([t, max]);
    }
  };

  const walkMap = (type: Y.AbstractType<unknown>, shape: MapField, path: readonly string[]): void => {
    for (let it = type._start; it !== null; it = it.right) {
      if (!it.deleted) {
        note(path, 'list content in a map');
        doomed.push(it);
      }
    }
    for (const [key, item] of type._map) {
      if (item.deleted) continue;
      const field = fieldAt(shape, key);
      const here = [...path, key];
      if (field === null) {
        note(here, 'not in the schema');
        doomed.push(item);
      } else if (!fits(item, field)) {
        note(here, field.kind === 'value' ? `not ${field.expect}` : `not a shared ${field.kind}`);
        doomed.push(item);
      } else if (field.kind === 'map') {
        walkMap((item.content as Y.ContentType).type as Y.AbstractType<unknown>, field, here);
      } else if (field.kind === 'text') {
        walkText((item.content as Y.ContentType).type as Y.AbstractType<unknown>, field.max, here);
      }
    }
  };

  for (const [name, root] of doc.share) {
    const type = root as unknown as Y.AbstractType<unknown>;
    const shape = Object.hasOwn(SHAPE[kind], name) ? SHAPE[kind][name] : undefined;
    if (shape === undefined) {
      note([name], 'unknown root');
      everything(type);
    } else {
      walkMap(type, shape, [name]);
    }
  }
  if (doomed.length > 0 || tooLong.length > 0) {
    doc.transact((tr) => {
      for (const item of doomed) if (!item.deleted) item.delete(tr);
      for (const [t, max] of tooLong) if (t.length > max) t.delete(max, t.length - max);
    }, origin);
  }
  return problems;
}
