import type { Role } from '../../shared/schema';

/**
 * Persistence behind two narrow interfaces, so that a PostgreSQL store can be
 * added without touching the sync core or the transports. One contract test
 * suite (tests/integration/store-contract.test.ts) runs against every store.
 */

/** The update log of Yjs documents, keyed by `<boardId>/<doc>`. */
export interface DocStore {
  /** Every stored update of a document, oldest first (a compacted state counts as one). */
  load(name: string): Promise<{ updates: Uint8Array[]; lastSeq: number }>;
  /** Append updates atomically (all or none); resolves once they are durable. Returns the last sequence number. */
  append(name: string, updates: Uint8Array[]): Promise<number>;
  /**
   * Replace every update with sequence number <= `throughSeq` by `state`
   * (the merged state of exactly those updates and possibly later ones).
   * Updates appended after `throughSeq` are kept.
   */
  compact(name: string, state: Uint8Array, throughSeq: number): Promise<void>;
  /** Number of stored entries for a document. */
  count(name: string): Promise<number>;
}

export interface BoardRecord {
  id: string;
  title: string;
  createdAt: number;
  /** sha256 (hex) of each role's token; tokens themselves are never stored. */
  tokenHashes: Record<Role, string>;
}

export interface BoardStore {
  /** Stores a new board with its tokens' hashes and, given, its tokens sealed under the server key (LK2). */
  createBoard(record: BoardRecord, sealed?: SealedTokens): Promise<void>;
  getBoard(id: string): Promise<BoardRecord | null>;
  countBoards(): Promise<number>;
  /** Sets the board's title. False when there is no such board. */
  renameBoard(id: string, title: string): Promise<boolean>;
  /**
   * Replaces one role's token hash (the old token stops working) and its sealed token, in one
   * transaction (without `sealed`, the role's sealed token is dropped). False when there is no such board.
   */
  setTokenHash(id: string, role: Role, tokenHash: string, sealed?: string): Promise<boolean>;
  /**
   * Deletes the board row, its people and their device keys, its snapshots, its sealed links, join
   * code and handoff codes, and every stored update of its documents (`<id>/agenda`, `<id>/board`,
   * `<id>/tasks`, every `<id>/mine:<userId>`), all or none. False when there was no board row.
   */
  deleteBoard(id: string): Promise<boolean>;
}

/** A person issued on one board (`POST /api/boards/:id/people`). */
export interface PersonRecord {
  boardId: string;
  /** Chosen by the server (`newId()`), unique per board. */
  userId: string;
  /** sha256 (hex) of the person's key; the key itself is never stored. */
  keyHash: string;
  /** Latest display name (validated before it gets here). */
  name: string;
  createdAt: number;
  /** Epoch ms when an organizer removed the person (key revoked); null while they may join. */
  revokedAt: number | null;
}

export interface PeopleStore {
  /** Rejects when the board already has a person with this userId. */
  createPerson(record: PersonRecord): Promise<void>;
  getPerson(boardId: string, userId: string): Promise<PersonRecord | null>;
  /** False when there is no such person. */
  renamePerson(boardId: string, userId: string, name: string): Promise<boolean>;
  /** Revokes the key (the first revocation time is kept). False when there is no such person. */
  revokePerson(boardId: string, userId: string, at: number): Promise<boolean>;
}

/** A board's tokens sealed under the server key, by role (a role never sealed is absent). */
export type SealedTokens = Partial<Record<Role, string>>;

/** What a board's links and join code need besides the board row (LK1, LK2, JN1). */
export interface LinkStore {
  getSealedTokens(boardId: string): Promise<SealedTokens>;
  /**
   * Keeps `sealed` as the role's token when the board's current hash for the role is `tokenHash`
   * (a device that holds the current token teaches it to the server). False otherwise.
   */
  keepSealedToken(boardId: string, role: Role, tokenHash: string, sealed: string): Promise<boolean>;
  /** The board's join code: its lookup hash and the code sealed, or null while none is shown. */
  getJoinCode(boardId: string): Promise<{ codeHash: string; sealed: string } | null>;
  /** Sets (or replaces) the board's join code. False when another board holds a code with this hash. */
  setJoinCode(boardId: string, codeHash: string, sealed: string, at: number): Promise<boolean>;
  /** Removes the board's join code. False when it had none. */
  deleteJoinCode(boardId: string): Promise<boolean>;
  /** The board a join code leads to, by the code's lookup hash. */
  findJoinCode(codeHash: string): Promise<string | null>;
  /**
   * The server key was lost: drops every value sealed under it (tokens, join codes, handoff codes)
   * and records `keyId` under `keyIdName` as the key from now on, in one transaction.
   */
  forgetSealed(keyIdName: string, keyId: string): Promise<void>;
}

/** A single-use code to continue as a person on another device (HO1). */
export interface HandoffRecord {
  /** The code's lookup hash (the code itself is never stored). */
  codeHash: string;
  boardId: string;
  userId: string;
  /** The link token the code was asked with, sealed: the link that carries the code. */
  sealedToken: string;
  createdAt: number;
  expiresAt: number;
  usedAt: number | null;
}

export type HandoffClaim =
  { ok: true; userId: string } | { ok: false; reason: 'unknown' | 'used' | 'expired' | 'too-many-devices' };

/** Handoff codes and the device keys they add to a person (HO1, HO2). */
export interface DeviceStore {
  /** Stores a new code; codes that expired over a day ago go at the same time. */
  createHandoff(record: HandoffRecord): Promise<void>;
  getHandoff(codeHash: string): Promise<HandoffRecord | null>;
  /**
   * In one transaction: when the code is the board's, unused and unexpired at `now`, and the
   * person holds fewer than `maxKeys` device keys, marks it used and adds `keyHash` as a key of
   * the person. Of two concurrent claims (any instances) one succeeds.
   */
  claimHandoff(
    codeHash: string,
    boardId: string,
    keyHash: string,
    now: number,
    maxKeys: number,
  ): Promise<HandoffClaim>;
  /** Whether `keyHash` is one of the person's device keys (their first key is in the person's row). */
  hasDeviceKey(boardId: string, userId: string, keyHash: string): Promise<boolean>;
}

/** Server-wide secrets (e.g. the pseudonym key): generated once, shared by every instance. */
export interface SecretStore {
  /**
   * The secret stored under `name`; when there is none yet, stores `candidate`
   * and returns it. Concurrent callers (several instances) all get the same value.
   */
  getOrCreateSecret(name: string, candidate: Uint8Array): Promise<Uint8Array>;
}

/** What a snapshot of a board is, without its content (issue 11, HS1). */
export interface SnapshotMeta {
  id: string;
  boardId: string;
  label: string;
  /** The agenda item that had just ended (automatic snapshots), or the one live (taken by hand). */
  itemId: string | null;
  /** `talk`: taken when the live item changed; `manual`: asked for by an organizer; `restore`: kept before a restore. */
  kind: SnapshotKind;
  createdAt: number;
  /** SHA-256 (hex) of the board's and tasks' content: equal content, equal hash (dedupe). */
  contentHash: string;
  /** Bytes of the three stored states together. */
  bytes: number;
}
export const SNAPSHOT_KINDS = ['talk', 'manual', 'restore'] as const;
export type SnapshotKind = (typeof SNAPSHOT_KINDS)[number];

/** A snapshot with its content: the Yjs state (`encodeStateAsUpdate`) of each document. */
export interface SnapshotRecord extends SnapshotMeta {
  agenda: Uint8Array;
  board: Uint8Array;
  tasks: Uint8Array;
}

/** How many snapshots a board keeps, and how many bytes (HS3). */
export interface SnapshotRetention {
  maxCount: number;
  maxBytes: number;
}

export interface SnapshotStore {
  /**
   * Stores `record` unless it repeats the board's newest snapshot (the same
   * content hash; for a `talk` record, the newest is a `talk` too: see
   * `isRepeat`), then that one is returned, `created: false`. Then, while the board
   * keeps more than `retention` allows, drops its oldest snapshot of kind
   * `talk` or `restore` (oldest `manual` ones only when no other is left),
   * never the one just stored. All in one transaction.
   */
  addSnapshot(
    record: SnapshotRecord,
    retention: SnapshotRetention,
  ): Promise<{ snapshot: SnapshotMeta; created: boolean }>;
  /** A board's snapshots, oldest first. */
  listSnapshots(boardId: string): Promise<SnapshotMeta[]>;
  getSnapshot(boardId: string, id: string): Promise<SnapshotRecord | null>;
}

export interface Store
  extends DocStore, BoardStore, PeopleStore, SecretStore, SnapshotStore, LinkStore, DeviceStore {
  close(): Promise<void>;
}

/**
 * The retention policy (HS3) as a pure function, shared by every store:
 * which of a board's snapshots (oldest first) to drop so that at most
 * `maxCount` remain and they hold at most `maxBytes`. The oldest automatic
 * ones (`talk`, `restore`) go first, then the oldest `manual` ones; `keepId`
 * (the one just stored) always stays.
 */
export function snapshotsToDrop(
  metas: readonly Pick<SnapshotMeta, 'id' | 'kind' | 'bytes'>[],
  keepId: string,
  retention: SnapshotRetention,
): string[] {
  const left = [...metas];
  let bytes = left.reduce((s, m) => s + m.bytes, 0);
  const drop: string[] = [];
  while (left.length > retention.maxCount || (bytes > retention.maxBytes && left.length > 1)) {
    let i = left.findIndex((m) => m.kind !== 'manual' && m.id !== keepId);
    if (i < 0) i = left.findIndex((m) => m.id !== keepId);
    if (i < 0) break;
    const [gone] = left.splice(i, 1);
    bytes -= gone!.bytes;
    drop.push(gone!.id);
  }
  return drop;
}
