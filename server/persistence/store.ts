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
}

export interface Store extends DocStore, BoardStore {
  close(): Promise<void>;
}
