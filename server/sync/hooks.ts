import { recordJoin } from '../../shared/ops/roster';
import { CLOSE } from '../../shared/protocol';
import { serverOrigin } from '../../shared/schema';
import { authenticate } from '../boards/tokens';
import type { Identities } from '../identity/identities';
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
