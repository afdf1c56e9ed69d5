import * as Y from 'yjs';
import {
  boardInfo,
  boardRoster,
  cleanText,
  isFiniteNumber,
  isSafeKey,
  LIMITS,
  ROLES,
  type Origin,
  type Role,
} from '../schema';

/**
 * The board's roster: everyone who has joined, by participant id, so that
 * people who left still appear as possible task owners. The server records a
 * join; clients only read it (`readRoster`).
 */

/** Keeps a flood of fake ids from growing the board document without bound. */
export const MAX_ROSTER = 1000;

export interface JoinInput {
  id: string;
  name: string;
  role: Role;
  /** Epoch ms of the join. */
  at: number;
}

/**
 * Records (or refreshes) a person in the roster. Only fields that changed are
 * written, so a reconnect with the same name costs one small update.
 * Returns false when the input is invalid or the roster is full.
 */
export function recordJoin(boardDoc: Y.Doc, input: JoinInput, origin: Origin): boolean {
  const { id, role, at } = input;
  if (typeof id !== 'string' || !isSafeKey(id)) return false;
  if (!(ROLES as readonly unknown[]).includes(role)) return false;
  if (!isFiniteNumber(at)) return false;
  const name = cleanText(
    typeof input.name === 'string' ? input.name.replace(/[\r\n\t]+/g, ' ') : '',
    LIMITS.nameLength,
  );
  const roster = boardRoster(boardDoc);
  const existing = roster.get(id);
  if (!(existing instanceof Y.Map) && roster.size >= MAX_ROSTER) return false;
  boardDoc.transact(() => {
    let m = existing instanceof Y.Map ? existing : null;
    if (!m) {
      m = new Y.Map<unknown>();
      roster.set(id, m);
    }
    // Keep the last non-empty name: a join without a name should not erase it.
    if (name !== '' && m.get('name') !== name) m.set('name', name);
    else if (!m.has('name')) m.set('name', name);
    if (m.get('role') !== role) m.set('role', role);
    const last = m.get('lastSeen');
    if (!isFiniteNumber(last) || last < at) m.set('lastSeen', at);
  }, origin);
  return true;
}

/** Removes a person from the roster (the server does, for per-connection identities that left). */
export function forgetJoin(boardDoc: Y.Doc, id: string, origin: Origin): void {
  const roster = boardRoster(boardDoc);
  if (roster.has(id)) boardDoc.transact(() => roster.delete(id), origin);
}

/**
 * The board's title in the board document (the server writes it after a
 * rename, B2), so every client shows a new title at once; clients that never
 * saw a rename use the title their join was given.
 */
export function setBoardTitle(boardDoc: Y.Doc, title: string, origin: Origin): void {
  const clean = cleanText(title, LIMITS.titleLength);
  const info = boardInfo(boardDoc);
  if (clean !== '' && info.get('title') !== clean) boardDoc.transact(() => info.set('title', clean), origin);
}

/** The title the server last wrote into the board document ('' when it never did). */
export function readBoardTitle(boardDoc: Y.Doc): string {
  const t = boardInfo(boardDoc).get('title');
  return typeof t === 'string' ? t : '';
}

/**
 * What organizers' share panels and presenter views follow (LK3, JN1): when a
 * link or the join code last changed, and whether the projector shows how to
 * join. The server writes it; the links themselves never enter a document
 * (participants and viewers receive the board document too).
 */
export interface LinkSignal {
  /** Server epoch ms of the last change, 0 before any. */
  at: number;
  joinShown: boolean;
}

export function signalLinks(boardDoc: Y.Doc, signal: LinkSignal, origin: Origin): void {
  const info = boardInfo(boardDoc);
  boardDoc.transact(() => {
    if (info.get('linksAt') !== signal.at) info.set('linksAt', signal.at);
    if (info.get('joinShown') !== signal.joinShown) info.set('joinShown', signal.joinShown);
  }, origin);
}

export function readLinkSignal(boardDoc: Y.Doc): LinkSignal {
  const info = boardInfo(boardDoc);
  const at = info.get('linksAt');
  return { at: isFiniteNumber(at) ? at : 0, joinShown: info.get('joinShown') === true };
}
