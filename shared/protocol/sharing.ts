/**
 * The HTTP contract of sharing a board from any device (issue 19, docs/protocol.md
 * "Sharing from any device"): the board's links, the short join code a
 * projector shows, continuing as the same person on another device, and
 * duplicating a board or starting from a template. One module for the
 * server's answers and the client's readers.
 */
import type { Role } from '../schema/types';

/**
 * Codes people type are Crockford base32: digits and capitals without I, L, O
 * and U, so that a code read aloud or from a screen has no look-alikes.
 * Typed input is forgiving: case, spaces and dashes are ignored, and O, I and
 * L are read as 0, 1 and 1.
 */
export const CODE_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A join code: 8 characters (40 bits), typed at `/join` from a projector. */
export const JOIN_CODE_LENGTH = 8;
/** A code to continue on another device: 10 characters (50 bits), single use, 10 minutes. */
export const HANDOFF_CODE_LENGTH = 10;
/** How long a code to continue on another device stays valid. */
export const HANDOFF_TTL_MS = 10 * 60_000;

/** The canonical form of a typed code (upper case, look-alikes mapped), or null when it cannot be one. */
export function normalizeCode(input: unknown): string | null {
  if (typeof input !== 'string' || input.length > 40) return null;
  const code = input
    .toUpperCase()
    .replace(/[\s-]+/g, '')
    .replace(/O/g, '0')
    .replace(/[IL]/g, '1');
  if (code.length !== JOIN_CODE_LENGTH && code.length !== HANDOFF_CODE_LENGTH) return null;
  for (const c of code) if (!CODE_ALPHABET.includes(c)) return null;
  return code;
}

/** A code as people read it: in two halves ("K7P4-QX2M", "ABCDE-FGHJK"). */
export function formatCode(code: string): string {
  const half = Math.ceil(code.length / 2);
  return `${code.slice(0, half)}-${code.slice(half)}`;
}

/** One link of a board: its token and its page URL (token in the fragment). */
export interface BoardLink {
  token: string;
  url: string;
}

/**
 * `GET /api/boards/:id/links` (organizer): the current links. A role is null
 * when the server keeps only its fingerprint (a board made before links were
 * kept, or stored under a key that was lost): replacing it once makes it known.
 */
export type BoardLinks = Record<Role, BoardLink | null>;

/** `GET /api/boards/:id/join` (any role) and `PUT` (organizer): how to join from the projector. */
export type JoinInfo = { shown: true; code: string; url: string } | { shown: false; code: null; url: null };

/** `POST /api/join`: where a typed code leads (a participant link, or a link to continue as someone). */
export interface JoinTarget {
  boardId: string;
  kind: 'join' | 'continue';
  url: string;
}

/** `POST /api/boards/:id/people/:userId/handoff`: a single-use code and the link that carries it. */
export interface Handoff {
  code: string;
  url: string;
  /** Epoch ms (server clock). */
  expiresAt: number;
}

/** A link that continues as someone: `#<token>&continue=<code>` after the board's page URL. */
export const CONTINUE_PARAM = 'continue';

/** What a board can be started from (`POST /api/boards` `{ template }`). */
export const TEMPLATES = [
  {
    id: 'workshop',
    name: 'Workshop day',
    description: 'An agenda of talks, discussions and breaks from 9:00 to 17:00, and the usual follow-ups.',
  },
  {
    id: 'retrospective',
    name: 'Retrospective',
    description: 'Three columns (went well, to improve, to try next), three votes each and a short agenda.',
  },
  {
    id: 'brainstorm',
    name: 'Brainstorm',
    description: 'A timed silent brainstorm, then grouping and dot voting (five votes, counts hidden).',
  },
] as const;
export type TemplateId = (typeof TEMPLATES)[number]['id'];
export const isTemplateId = (v: unknown): v is TemplateId => TEMPLATES.some((t) => t.id === v);

/** What a duplicate may take along (`POST /api/boards/:id/duplicate` `{ include }`). */
export const DUPLICATE_PARTS = ['agenda', 'notes', 'groups', 'tasks'] as const;
export type DuplicatePart = (typeof DUPLICATE_PARTS)[number];
export const isDuplicatePart = (v: unknown): v is DuplicatePart =>
  (DUPLICATE_PARTS as readonly unknown[]).includes(v);
