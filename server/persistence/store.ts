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
  createBoard(record: BoardRecord): Promise<void>;
  getBoard(id: string): Promise<BoardRecord | null>;
  countBoards(): Promise<number>;
  /** Sets the board's title. False when there is no such board. */
  renameBoard(id: string, title: string): Promise<boolean>;
  /** Replaces one role's token hash (the old token stops working). False when there is no such board. */
  setTokenHash(id: string, role: Role, tokenHash: string): Promise<boolean>;
  /**
   * Deletes the board row, its people and every stored update of its documents
   * (`<id>/agenda`, `<id>/board`, `<id>/tasks`), all or none. False when there was no board row.
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

/** Server-wide secrets (e.g. the pseudonym key): generated once, shared by every instance. */
export interface SecretStore {
  /**
   * The secret stored under `name`; when there is none yet, stores `candidate`
   * and returns it. Concurrent callers (several instances) all get the same value.
   */
  getOrCreateSecret(name: string, candidate: Uint8Array): Promise<Uint8Array>;
}

export interface Store extends DocStore, BoardStore, PeopleStore, SecretStore {
  close(): Promise<void>;
}
