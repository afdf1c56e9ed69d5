/** Small validators shared by readers, operations, HTTP routes and imports. */

import { ITEM_KINDS, TASK_STATUSES, type ItemKind, type TaskStatus } from './types';

export const LIMITS = {
  titleLength: 200,
  nameLength: 60,
  noteTextLength: 2000,
  /** A question of the Q&A (issue 11). */
  questionLength: 500,
  taskTitleLength: 500,
  urlLength: 2000,
  maxItems: 200,
  maxMinutes: 24 * 60,
  /** Notes live in world coordinates; keep them on a bounded plane. */
  worldExtent: 1_000_000,
  maxVotesPerPerson: 99,
} as const;

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;
const DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

export const isHHMM = (v: unknown): v is string => typeof v === 'string' && HHMM.test(v);

export function isIsoDate(v: unknown): v is string {
  if (typeof v !== 'string' || !DATE.test(v)) return false;
  const d = new Date(`${v}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === v;
}

export const isItemKind = (v: unknown): v is ItemKind =>
  typeof v === 'string' && (ITEM_KINDS as readonly string[]).includes(v);

export const isTaskStatus = (v: unknown): v is TaskStatus =>
  typeof v === 'string' && (TASK_STATUSES as readonly string[]).includes(v);

export const isFiniteNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

export function isTimeZone(v: unknown): v is string {
  if (typeof v !== 'string' || v.length === 0 || v.length > 64) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: v });
    return true;
  } catch {
    return false;
  }
}

/** Only http(s) and mailto links are ever rendered as links. */
export function isSafeUrl(v: unknown): v is string {
  if (typeof v !== 'string' || v.length > LIMITS.urlLength) return false;
  try {
    const u = new URL(v);
    return u.protocol === 'https:' || u.protocol === 'http:' || u.protocol === 'mailto:';
  } catch {
    return false;
  }
}

// Control characters other than tab and line breaks (matching them is the point).
// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;

/** Trim, drop control characters and bound a display string. */
export function cleanText(v: unknown, max: number): string {
  if (typeof v !== 'string') return '';
  return v.replace(CONTROL_CHARS, '').trim().slice(0, max);
}

/** Keys that must never be used as map keys coming from a peer. */
export const isSafeKey = (k: string): boolean =>
  k.length > 0 && k.length <= 64 && k !== '__proto__' && k !== 'constructor' && k !== 'prototype';

export const hhmmToMinutes = (hhmm: string): number => {
  const [h, m] = hhmm.split(':');
  return Number(h) * 60 + Number(m);
};

export const minutesToHHMM = (total: number): string => {
  const t = ((Math.round(total) % 1440) + 1440) % 1440;
  return `${String(Math.floor(t / 60)).padStart(2, '0')}:${String(t % 60).padStart(2, '0')}`;
};
