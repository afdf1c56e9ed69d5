import type { DocKind, Role } from '../../shared/schema';
import type { CloseCode, Denial, UpdateAck } from '../../shared/protocol';

/** Who is on the other end, as established by the core's `authorize` hook. */
export interface Peer {
  boardId: string;
  role: Role;
  userId: string;
  /** Display name from the join; presence uses this, not what the client sends later. */
  name: string;
  /** Author id of this person's anonymous notes (a keyed hash of userId; see SessionInfo). */
  pseudonym: string;
  /** True when userId was proven with an issued key; false for a per-connection identity. */
  issued: boolean;
}

/**
 * What a room sees of one connection to its document. The sync core
 * (`core.ts`) makes one per document of a client connection, over the
 * transport's `ClientSocket`; rooms never see a transport.
 */
export interface Connection {
  readonly id: string;
  readonly doc: DocKind;
  readonly peer: Peer;
  /** Send one y-protocols frame (one message per frame: stock clients read only one). */
  send(frame: Uint8Array): void;
  /** Tell the client an update was refused and not applied. */
  deny(denial: Denial): void;
  close(code: CloseCode, reason: string): void;
}

export type AckFn = (res: UpdateAck) => void;

let counter = 0;
/** Connection ids are for logs and origins only; they carry no authority. */
export const nextConnectionId = (prefix: string): string => `${prefix}-${(++counter).toString(36)}`;
