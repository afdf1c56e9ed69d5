/**
 * Intent-level operations on the agenda document. Each one validates its
 * input first (throwing RangeError with a clear message, before anything is
 * written) and then makes exactly one `doc.transact(fn, origin)`, so that a
 * change reaches peers, storage and undo as one unit.
 *
 * Slippage semantics are defined in shared/time/schedule.ts (AG1–AG5).
 */
import * as Y from 'yjs';
import {
  AGENDA_ITEM_FIELDS,
  agendaItems,
  agendaLive,
  agendaMeta,
  agendaTimeline,
  cleanText,
  isFiniteNumber,
  isHHMM,
  isIsoDate,
  isItemKind,
  isSafeKey,
  isSafeUrl,
  isTimeZone,
  LIMITS,
  newId,
  readAgenda,
  readItems,
  type AgendaItem,
  type AgendaLinks,
  type ItemKind,
  type Origin,
} from '../schema';
import { currentScheduledAt, delayToStartNow, scheduledItems, type ScheduledItem } from '../time/schedule';

/** What callers give for a new item: id is generated, optional fields default to ''/'other'. */
export interface AgendaItemInput {
  start: string;
  minutes: number;
  title: string;
  speaker?: string;
  affiliation?: string;
  url?: string;
  kind?: ItemKind;
}

export type AgendaItemPatch = Partial<AgendaItemInput>;

export interface AgendaMetaPatch {
  title?: string;
  timeZone?: string;
  /** `YYYY-MM-DD`, or '' to make the agenda undated. */
  date?: string;
  /** Replaces all links; a link set to '' is dropped. */
  links?: AgendaLinks;
}

/** At most this many named links (meeting, registration, whiteboard, …). */
export const MAX_LINKS = 10;

const fail = (msg: string): never => {
  throw new RangeError(msg);
};

function checkMinutes(v: unknown): number {
  if (!isFiniteNumber(v) || !Number.isInteger(v) || v < 0 || v > LIMITS.maxMinutes)
    fail(`minutes must be a whole number from 0 to ${LIMITS.maxMinutes}`);
  return v as number;
}

function checkString(field: string, v: unknown, max: number): string {
  if (typeof v !== 'string') fail(`${field} must be a string`);
  const s = cleanText(v, Number.MAX_SAFE_INTEGER);
  if (s.length > max) fail(`${field} is longer than ${max} characters`);
  return s;
}

function checkUrl(v: unknown): string {
  if (v === '') return '';
  if (!isSafeUrl(v)) fail('url must be an http(s) or mailto link of at most 2000 characters');
  return v as string;
}

/** Validated field values of an item patch, in storage form. */
function checkPatch(p: AgendaItemPatch): Partial<Omit<AgendaItem, 'id'>> {
  if (typeof p !== 'object' || p === null) fail('agenda item must be an object');
  const out: Partial<Omit<AgendaItem, 'id'>> = {};
  if (p.start !== undefined) {
    if (!isHHMM(p.start)) fail(`start must be HH:MM (24-hour), got ${JSON.stringify(p.start)}`);
    out.start = p.start;
  }
  if (p.minutes !== undefined) out.minutes = checkMinutes(p.minutes);
  if (p.title !== undefined) out.title = checkString('title', p.title, LIMITS.titleLength);
  if (p.speaker !== undefined) out.speaker = checkString('speaker', p.speaker, LIMITS.titleLength);
  if (p.affiliation !== undefined)
    out.affiliation = checkString('affiliation', p.affiliation, LIMITS.titleLength);
  if (p.url !== undefined) out.url = checkUrl(p.url);
  if (p.kind !== undefined) {
    if (!isItemKind(p.kind)) fail('kind must be talk, break, discussion or other');
    out.kind = p.kind;
  }
  return out;
}

function checkItem(item: AgendaItemInput): Omit<AgendaItem, 'id'> {
  if (typeof item !== 'object' || item === null) fail('agenda item must be an object');
  if (item.start === undefined) fail('start is required');
  if (item.minutes === undefined) fail('minutes is required');
  if (item.title === undefined) fail('title is required');
  const p = checkPatch(item);
  return {
    start: p.start as string,
    minutes: p.minutes as number,
    title: p.title as string,
    speaker: p.speaker ?? '',
    affiliation: p.affiliation ?? '',
    url: p.url ?? '',
    kind: p.kind ?? 'other',
  };
}

function itemMap(fields: Omit<AgendaItem, 'id'>): Y.Map<unknown> {
  const m = new Y.Map<unknown>();
  for (const [k, v] of Object.entries(fields)) m.set(k, v);
  return m;
}

function checkItemId(doc: Y.Doc, id: string): Y.Map<unknown> {
  const m = typeof id === 'string' && isSafeKey(id) ? agendaItems(doc).get(id) : undefined;
  if (!(m instanceof Y.Map)) return fail(`no agenda item with id ${JSON.stringify(id)}`);
  return m;
}

function checkLinks(links: unknown): Record<string, string> {
  if (typeof links !== 'object' || links === null || Array.isArray(links))
    fail('links must be an object of name -> URL');
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(links as Record<string, unknown>)) {
    if (!isSafeKey(k) || k.length > LIMITS.nameLength) fail(`link name ${JSON.stringify(k)} is not allowed`);
    if (v === '' || v === undefined) continue;
    if (!isSafeUrl(v)) fail(`link ${k} must be an http(s) or mailto URL`);
    out[k] = v as string;
  }
  if (Object.keys(out).length > MAX_LINKS) fail(`at most ${MAX_LINKS} links`);
  return out;
}

export function setMeta(doc: Y.Doc, patch: AgendaMetaPatch, origin: Origin): void {
  if (typeof patch !== 'object' || patch === null) fail('meta patch must be an object');
  const title = patch.title === undefined ? undefined : checkString('title', patch.title, LIMITS.titleLength);
  if (patch.timeZone !== undefined && !isTimeZone(patch.timeZone))
    fail(`time zone must be an IANA name such as America/New_York, got ${JSON.stringify(patch.timeZone)}`);
  if (patch.date !== undefined && patch.date !== '' && !isIsoDate(patch.date))
    fail(`date must be YYYY-MM-DD, got ${JSON.stringify(patch.date)}`);
  const links = patch.links === undefined ? undefined : checkLinks(patch.links);
  doc.transact(() => {
    const m = agendaMeta(doc);
    if (title !== undefined) m.set('title', title);
    if (patch.timeZone !== undefined) m.set('timeZone', patch.timeZone);
    if (patch.date !== undefined) m.set('date', patch.date);
    if (links !== undefined) m.set('links', links);
  }, origin);
}

/** Adds an item and returns its new id. */
export function addItem(doc: Y.Doc, item: AgendaItemInput, origin: Origin): string {
  const fields = checkItem(item);
  if (agendaItems(doc).size >= LIMITS.maxItems) fail(`an agenda holds at most ${LIMITS.maxItems} items`);
  const id = newId();
  doc.transact(() => agendaItems(doc).set(id, itemMap(fields)), origin);
  return id;
}

export function updateItem(doc: Y.Doc, id: string, patch: AgendaItemPatch, origin: Origin): void {
  const m = checkItemId(doc, id);
  const fields = checkPatch(patch);
  doc.transact(() => {
    for (const [k, v] of Object.entries(fields)) if (m.get(k) !== v) m.set(k, v);
  }, origin);
}

/** Removes an item; when it was the organizer's current item the pin is cleared (delay kept). */
export function removeItem(doc: Y.Doc, id: string, origin: Origin): void {
  checkItemId(doc, id);
  doc.transact(() => {
    agendaItems(doc).delete(id);
    agendaTimeline(doc).delete(id);
    const live = agendaLive(doc);
    if (live.get('currentItemId') === id) live.set('currentItemId', null);
  }, origin);
}

/**
 * Replaces every item at once (the import route). All items are validated
 * before anything changes; the pin and delay are reset because they referred
 * to the old items. Returns the new ids in input order.
 */
export function replaceItems(doc: Y.Doc, items: readonly AgendaItemInput[], origin: Origin): string[] {
  const checked = checkItems(items);
  const ids = checked.map(() => newId());
  doc.transact(() => {
    const map = agendaItems(doc);
    for (const k of [...map.keys()]) map.delete(k);
    checked.forEach((fields, i) => map.set(ids[i] as string, itemMap(fields)));
    agendaTimeline(doc).clear();
    const live = agendaLive(doc);
    live.set('currentItemId', null);
    live.set('delayMinutes', 0);
  }, origin);
  return ids;
}

/** What a re-import does to the items there are (see `planItemMerge`). */
export interface ItemMergePlan {
  /** For each incoming item (input order), the id of the existing item it becomes, or null (new). */
  keep: (string | null)[];
  /** Existing items kept under their id whose fields change. */
  changed: string[];
  /** Existing items that match nothing on the page: removed. */
  removed: string[];
  /** Incoming items that match nothing: added with new ids. */
  added: number;
  /** Existing items kept exactly as they are. */
  unchanged: number;
}

type ItemFields = Omit<AgendaItem, 'id'>;

const sameTitle = (a: string, b: string): boolean =>
  a.trim().toLocaleLowerCase('en') === b.trim().toLocaleLowerCase('en');

const sameFields = (a: ItemFields, b: ItemFields): boolean => AGENDA_ITEM_FIELDS.every((k) => a[k] === b[k]);

/**
 * Which existing item each incoming one keeps (AG6): first the same start and
 * title, then (for what is left) the same non-empty title, each existing item
 * matched at most once, in the page's order. Pure: nothing is written; the
 * items are validated as `mergeItems` would (RangeError).
 */
export function planItemMerge(
  current: readonly AgendaItem[],
  items: readonly AgendaItemInput[],
): ItemMergePlan {
  return planChecked(current, checkItems(items));
}

function planChecked(current: readonly AgendaItem[], incoming: readonly ItemFields[]): ItemMergePlan {
  const used = new Set<string>();
  const keep: (string | null)[] = incoming.map(() => null);
  const match = (pred: (have: AgendaItem, want: ItemFields) => boolean): void => {
    incoming.forEach((want, i) => {
      if (keep[i] !== null) return;
      const have = current.find((c) => !used.has(c.id) && pred(c, want));
      if (!have) return;
      used.add(have.id);
      keep[i] = have.id;
    });
  };
  match((c, w) => c.start === w.start && sameTitle(c.title, w.title));
  match((c, w) => w.title.trim() !== '' && sameTitle(c.title, w.title));
  const byId = new Map(current.map((c) => [c.id, c]));
  const changed: string[] = [];
  let unchanged = 0;
  keep.forEach((id, i) => {
    if (id === null) return;
    if (sameFields(byId.get(id) as AgendaItem, incoming[i] as ItemFields)) unchanged++;
    else changed.push(id);
  });
  return {
    keep,
    changed,
    removed: current.filter((c) => !used.has(c.id)).map((c) => c.id),
    added: keep.filter((k) => k === null).length,
    unchanged,
  };
}

function checkItems(items: readonly AgendaItemInput[]): ItemFields[] {
  if (!Array.isArray(items)) fail('items must be an array');
  if (items.length > LIMITS.maxItems) fail(`an agenda holds at most ${LIMITS.maxItems} items`);
  return items.map((it, i) => {
    try {
      return checkItem(it);
    } catch (e) {
      return fail(`item ${i + 1}: ${(e as Error).message}`);
    }
  });
}

/**
 * Re-import (AG6): the agenda becomes `items`, but an item that matches an
 * existing one (`planItemMerge`) keeps its id, so notes, tasks and the pin
 * that refer to it stay attached; only its changed fields are written. Items
 * that match nothing are removed; the pin is cleared only when its item is
 * removed, and the delay is kept. All items are validated first; one
 * transaction. Returns the plan that was applied.
 */
export function mergeItems(doc: Y.Doc, items: readonly AgendaItemInput[], origin: Origin): ItemMergePlan {
  const checked = checkItems(items);
  const plan = planChecked(readItems(doc), checked);
  doc.transact(() => {
    const map = agendaItems(doc);
    const runs = agendaTimeline(doc);
    for (const id of plan.removed) {
      map.delete(id);
      runs.delete(id);
    }
    checked.forEach((fields, i) => {
      const id = plan.keep[i];
      const existing = id ? map.get(id) : undefined;
      if (!(existing instanceof Y.Map)) {
        map.set(newId(), itemMap(fields));
        return;
      }
      for (const [k, v] of Object.entries(fields)) if (existing.get(k) !== v) existing.set(k, v);
    });
    const live = agendaLive(doc);
    const pinned = live.get('currentItemId');
    if (typeof pinned === 'string' && plan.removed.includes(pinned)) live.set('currentItemId', null);
  }, origin);
  return plan;
}

/** The live item (AG4) and the schedule at `nowMs`; nothing when the stored times are broken. */
function liveAt(doc: Y.Doc, nowMs: number): { current: ScheduledItem | null; items: ScheduledItem[] } {
  try {
    const agenda = readAgenda(doc);
    return { current: currentScheduledAt(agenda, nowMs), items: scheduledItems(agenda, nowMs) };
  } catch {
    return { current: null, items: [] };
  }
}

/**
 * Runs `change` (inside the caller's transaction) and records what it does to
 * the day (AG7): the item live before it ends now, the item live after it
 * starts now (`started`: the item "Start this item now" starts), the live item
 * that stays keeps the start it had, and items already over whose times the
 * change would move keep the times they ran at. Without `nowMs` nothing is
 * recorded (a caller that does not know the time, e.g. a seed).
 */
function recordingRuns(doc: Y.Doc, nowMs: number | undefined, change: () => void, started?: string): void {
  if (nowMs === undefined || !isFiniteNumber(nowMs)) return change();
  const before = liveAt(doc, nowMs);
  change();
  const after = liveAt(doc, nowMs);
  const runs = agendaTimeline(doc);
  const runOf = (id: string): { start: number; end: number | null } | null => {
    const r = runs.get(id) as { start?: unknown; end?: unknown } | undefined;
    return r && isFiniteNumber(r.start)
      ? { start: r.start, end: isFiniteNumber(r.end) ? r.end : null }
      : null;
  };
  const set = (id: string, start: number, end: number | null): void => {
    const r = runOf(id);
    if (r?.start !== start || r?.end !== end)
      runs.set(id, { start: Math.round(start), end: end === null ? null : Math.round(end) });
  };
  const was = before.current;
  const is = after.current;
  for (const it of before.items)
    if (it.shifted && it.endMs <= nowMs && it.id !== was?.id && !runOf(it.id))
      set(it.id, it.startMs, it.endMs);
  if (was) {
    const start = Math.min(runOf(was.id)?.start ?? was.startMs, nowMs);
    if (is?.id !== was.id || started === was.id) set(was.id, start, nowMs);
    else if (!runOf(was.id)) set(was.id, start, null);
  }
  const startsNow = started ?? (is && is.id !== was?.id ? is.id : undefined);
  if (startsNow !== undefined && agendaItems(doc).has(startsNow)) set(startsNow, nowMs, null);
}

function clampDelay(m: number): number {
  return Math.max(-LIMITS.maxMinutes, Math.min(LIMITS.maxMinutes, m));
}

/**
 * "Start this item now" (AG3): the item becomes current and it, with every
 * later item, moves by the difference between now and its planned start.
 * Returns the resulting delay in minutes.
 */
export function startItemNow(doc: Y.Doc, itemId: string, nowMs: number, origin: Origin): number {
  checkItemId(doc, itemId);
  if (!isFiniteNumber(nowMs)) fail('now must be a finite epoch time in ms');
  const agenda = readAgenda(doc);
  const delay = delayToStartNow(agenda, itemId, nowMs);
  // Clamping would silently leave the day over (or not begun): say what to fix instead.
  if (Math.abs(delay) > LIMITS.maxMinutes)
    fail(
      `this item is planned for ${agenda.meta.date}, more than a day from now: set the event date to today to run it live`,
    );
  doc.transact(() => {
    recordingRuns(
      doc,
      nowMs,
      () => {
        const live = agendaLive(doc);
        live.set('currentItemId', itemId);
        live.set('delayMinutes', delay);
      },
      itemId,
    );
  }, origin);
  return delay;
}

/**
 * "+5 min" / "-5 min": moves the anchor item and everything after it. Returns the new delay.
 * The delay is one register, so two organizers pressing at the same instant keep one of the
 * two shifts (last writer wins); both see the result at once and can press again.
 */
export function shiftDelay(doc: Y.Doc, deltaMinutes: number, origin: Origin, nowMs?: number): number {
  if (!isFiniteNumber(deltaMinutes) || !Number.isInteger(deltaMinutes) || deltaMinutes === 0)
    fail('delay change must be a non-zero whole number of minutes');
  if (Math.abs(deltaMinutes) > LIMITS.maxMinutes)
    fail(`delay change must be at most ${LIMITS.maxMinutes} minutes`);
  const delay = clampDelay(readAgenda(doc).live.delayMinutes + deltaMinutes);
  doc.transact(() => recordingRuns(doc, nowMs, () => agendaLive(doc).set('delayMinutes', delay)), origin);
  return delay;
}

/** Clears the delay and the organizer's current item: the plan and the clock rule again. */
export function backOnSchedule(doc: Y.Doc, origin: Origin, nowMs?: number): void {
  doc.transact(() => {
    recordingRuns(doc, nowMs, () => {
      const live = agendaLive(doc);
      live.set('delayMinutes', 0);
      live.set('currentItemId', null);
    });
  }, origin);
}

/** Pins (or with null unpins) the current item without touching the delay. */
export function setCurrentItem(doc: Y.Doc, itemId: string | null, origin: Origin, nowMs?: number): void {
  if (itemId !== null) checkItemId(doc, itemId);
  doc.transact(() => recordingRuns(doc, nowMs, () => agendaLive(doc).set('currentItemId', itemId)), origin);
}
