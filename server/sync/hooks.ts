import { forgetJoin, recordJoin } from '../../shared/ops/roster';
import { CLOSE } from '../../shared/protocol';
import { serverOrigin } from '../../shared/schema';
import { authenticate } from '../boards/tokens';
import type { Identities } from '../identity/identities';
import type { SessionRegistry } from '../identity/sessions';
import type { Logger } from '../log';
import type { BoardStore } from '../persistence/store';
import type { Admission, Credentials, SyncHooks } from './core';
import type { DocAccess } from './doc-access';

/**
 * The `authorize` hook: the board token gives the role (a wrong token and an
 * unknown board look the same, B1), the join's `userId` + `key` the identity
 * (or one of the connection's own), and the name sent becomes the person's name.
 */
export function authorizeByToken(boards: BoardStore, identities: Identities): SyncHooks['authorize'] {
  return async (credentials: Credentials): Promise<Admission> => {
    const found = await authenticate(boards, credentials.boardId, credentials.token);
    if (!found) return { ok: false, code: CLOSE.unauthorized };
    const { userId, key, name } = credentials;
    const joined = await identities.join(found.board.id, { userId, key, name });
    if (!joined.ok) return { ok: false, code: joined.code };
    return {
      ok: true,
      title: found.board.title,
      peer: { boardId: found.board.id, role: found.role, ...joined.identity },
    };
  };
}

/** The `join` hook: the server records everyone who joins in the board's roster (a server change). */
export function recordInRoster(docs: DocAccess, log: Logger): SyncHooks['join'] {
  return (peer) => {
    docs
      .change(peer.boardId, 'board', 'roster', (doc) => {
        recordJoin(
          doc,
          { id: peer.userId, name: peer.name, role: peer.role, at: Date.now() },
          serverOrigin('roster'),
        );
      })
      .catch((e: unknown) => log.warn({ err: e }, 'could not record a join'));
  };
}

/**
 * The `leave` hook: a per-connection identity (a join without an issued key)
 * is in the roster only while its connection is open, so that a stock client
 * can learn its id there; it leaves no entry behind (otherwise a flood of such
 * connections would fill the roster for good). Issued people stay.
 */
export function forgetGuests(
  docs: DocAccess,
  sessions: Pick<SessionRegistry, 'isBoardDeleted'>,
  log: Logger,
): SyncHooks['leave'] {
  return (peer) => {
    // A deleted board's connections close too: nothing may be written for it any more.
    if (peer.issued || sessions.isBoardDeleted(peer.boardId)) return;
    docs
      .change(peer.boardId, 'board', 'roster', (doc) => forgetJoin(doc, peer.userId, serverOrigin('roster')))
      .catch((e: unknown) => log.warn({ err: e }, 'could not forget a guest'));
  };
}
