import { readLinkSignal, signalLinks } from '../../shared/ops/roster';
import { CLOSE } from '../../shared/protocol';
import { JOIN_CODE_LENGTH } from '../../shared/protocol/sharing';
import { ROLES, serverOrigin, type Role } from '../../shared/schema';
import { LINK_REPLACED, type SessionControl } from '../identity/cluster-sessions';
import type { Logger } from '../log';
import type { BoardRecord, BoardStore, LinkStore, SealedTokens } from '../persistence/store';
import type { DocAccess } from '../sync/doc-access';
import { randomCode, type SecretBox } from './cipher';
import { hashToken, mintBoard, newToken, type NewBoard } from './tokens';

/** Page URLs keep the token in the fragment, which browsers never send to servers. */
export function boardUrls(origin: string, id: string, tokens: Record<Role, string>): Record<Role, string> {
  const out = {} as Record<Role, string>;
  for (const role of ROLES) out[role] = boardUrl(origin, id, tokens[role]);
  return out;
}

/** The page URL of one link (token in the fragment). */
export const boardUrl = (origin: string, id: string, token: string): string => `${origin}/b/${id}#${token}`;

export interface BoardLinksDeps {
  boards: BoardStore & LinkStore;
  box: SecretBox;
  /** Where the links' signal is written (the board document's `info`, LK3). */
  docs: DocAccess;
  /** Closes what was opened with a replaced link, on every instance (R4). */
  sessions: SessionControl;
  log: Logger;
  now?: () => number;
}

const tokenContext = (boardId: string, role: Role): string => `${boardId}\n${role}`;
const joinContext = (boardId: string): string => `${boardId}\njoin`;

/**
 * A board's links as any organizer device sees them (LK1–LK3) and the join
 * code a projector shows (JN1, JN2). Tokens and the code are kept sealed
 * under the server key; only the server opens them, and only for routes that
 * hand them to organizers (or, while the organizer shows how to join, the
 * participant link to anyone holding a link of the board).
 */
export class BoardLinks {
  private readonly now: () => number;

  constructor(private readonly deps: BoardLinksDeps) {
    this.now = deps.now ?? Date.now;
  }

  /** A new board in the store, its tokens sealed; the tokens in the clear exist only in what this returns. */
  async create(title: string): Promise<NewBoard> {
    const minted = mintBoard(title, this.now());
    const sealed: SealedTokens = {};
    for (const role of ROLES)
      sealed[role] = this.deps.box.seal(minted.tokens[role], tokenContext(minted.record.id, role));
    await this.deps.boards.createBoard(minted.record, sealed);
    return minted;
  }

  /**
   * The current token of each role, or null where the server holds only its
   * hash (older boards, a lost key) or a sealed token that no longer matches
   * it. `known`: a token the caller just proved (the organizer's own
   * bearer), kept sealed when the server did not have it yet.
   */
  async current(
    board: BoardRecord,
    known?: { role: Role; token: string },
  ): Promise<Record<Role, string | null>> {
    const sealed = await this.deps.boards.getSealedTokens(board.id);
    const out = {} as Record<Role, string | null>;
    for (const role of ROLES) {
      const s = sealed[role];
      const token = s === undefined ? null : this.deps.box.open(s, tokenContext(board.id, role));
      out[role] = token !== null && hashToken(token) === board.tokenHashes[role] ? token : null;
    }
    if (known && out[known.role] === null && (await this.remember(board.id, known.role, known.token)))
      out[known.role] = known.token;
    return out;
  }

  /** Teaches the server a role's current token (a device that holds it). False unless it is the current one. */
  async remember(boardId: string, role: Role, token: string): Promise<boolean> {
    const sealed = this.deps.box.seal(token, tokenContext(boardId, role));
    return this.deps.boards.keepSealedToken(boardId, role, hashToken(token), sealed);
  }

  /**
   * Replaces one role's link (B2): the new token, sealed, in place of the
   * old one; a participant link takes a new join code with it (JN2); what
   * was opened with the old link is closed on every instance; open share
   * panels and presenter views hear of it through the board document (LK3).
   * Null when the board is gone.
   */
  async rotate(boardId: string, role: Role): Promise<string | null> {
    const token = newToken();
    const sealed = this.deps.box.seal(token, tokenContext(boardId, role));
    if (!(await this.deps.boards.setTokenHash(boardId, role, hashToken(token), sealed))) return null;
    if (role === 'participant' && (await this.deps.boards.getJoinCode(boardId)))
      await this.newJoinCode(boardId);
    // The old token no longer authenticates: close what was opened with it.
    const closed = this.deps.sessions.closeBoard(boardId, role, CLOSE.unauthorized, LINK_REPLACED);
    this.deps.log.info({ board: boardId, role, closed }, 'link replaced');
    await this.signal(boardId);
    return token;
  }

  /** The join code shown on the projector, or null while the organizer does not show how to join. */
  async joinCode(boardId: string): Promise<string | null> {
    const row = await this.deps.boards.getJoinCode(boardId);
    return row ? this.deps.box.open(row.sealed, joinContext(boardId)) : null;
  }

  /**
   * "Show how to join" (JN1): on, the board gets a join code (kept while it
   * is on); off, the code stops working. False when it cannot be on because
   * the server does not know the participant link (replace it once first).
   */
  async showJoin(board: BoardRecord, shown: boolean): Promise<boolean> {
    if (shown) {
      if ((await this.current(board)).participant === null) return false;
      if ((await this.joinCode(board.id)) === null) await this.newJoinCode(board.id);
    } else if (!(await this.deps.boards.deleteJoinCode(board.id))) {
      return true;
    }
    this.deps.log.info({ board: board.id, shown }, 'how to join shown or hidden');
    await this.signal(board.id);
    return true;
  }

  /** The board a typed join code leads to and its participant token, or null (JN1). */
  async resolveJoinCode(code: string): Promise<{ boardId: string; token: string } | null> {
    const boardId = await this.deps.boards.findJoinCode(this.deps.box.lookupHash('join', code));
    const board = boardId ? await this.deps.boards.getBoard(boardId) : null;
    if (!board) return null;
    const token = (await this.current(board)).participant;
    return token ? { boardId: board.id, token } : null;
  }

  private async newJoinCode(boardId: string): Promise<void> {
    // 40 bits: another board holding the same code is rare; draw again then.
    for (let attempt = 0; attempt < 5; attempt++) {
      const code = randomCode(JOIN_CODE_LENGTH);
      const stored = await this.deps.boards.setJoinCode(
        boardId,
        this.deps.box.lookupHash('join', code),
        this.deps.box.seal(code, joinContext(boardId)),
        this.now(),
      );
      if (stored) return;
    }
    throw new Error('could not draw a join code no other board holds');
  }

  /** Tells every organizer's share panel and presenter view (all instances, via the board document). */
  private async signal(boardId: string): Promise<void> {
    const joinShown = (await this.deps.boards.getJoinCode(boardId)) !== null;
    const now = this.now();
    await this.deps.docs.change(boardId, 'board', 'links', (doc) => {
      // Always later than the last signal, so that two changes within a millisecond are both heard.
      const at = Math.max(now, readLinkSignal(doc).at + 1);
      signalLinks(doc, { at, joinShown }, serverOrigin('links'));
    });
  }
}
