import type { Redis } from 'ioredis';
import * as Y from 'yjs';
import { boardGroups, boardNotes, isFiniteNumber } from '../../shared/schema';
import type { Logger } from '../log';
import type { VoteReport } from './gate';

/**
 * R6: the per-person vote limit across instances. Each instance checks a vote
 * against its own copy of the board; two instances that accept votes of one
 * person at the same moment have not seen each other's yet. So before a vote
 * is applied, the instance asks Redis, atomically (one Lua script per person),
 * whether the person's votes as the cluster knows them stay within the limit:
 * its own copy's votes, plus the votes other instances accepted that its copy
 * has not received yet. Redis keeps, per person, each target's last vote
 * written anywhere with the id of the Yjs item that wrote it; a copy whose
 * state vector covers that item has seen it (and whatever happened to it since,
 * a retraction or an organizer's clearing), so only unseen ones are added.
 * Exact, with no clock: the relay makes every item seen within milliseconds,
 * and the key expires after a minute of silence.
 */
export interface VoteBudget {
  /** True when the votes may be applied (and are then recorded for the other instances). */
  reserve(boardId: string, userId: string, limit: number, doc: Y.Doc, report: VoteReport): Promise<boolean>;
  /** Takes back what `reserve` recorded, for votes refused or not applied after all. */
  release(boardId: string, userId: string, report: VoteReport): Promise<void>;
}

/** The person's votes per target in this copy (`note:<id>`, `group:<id>`). */
export function ownVotes(doc: Y.Doc, userId: string): Map<string, number> {
  const out = new Map<string, number>();
  // Straight from the maps, as the gate counts them (shared/ops votesIn): no note is read whole.
  for (const [kind, root] of [
    ['note', boardNotes(doc)],
    ['group', boardGroups(doc)],
  ] as const)
    root.forEach((m, id) => {
      const votes = m instanceof Y.Map ? m.get('votes') : null;
      const c = votes instanceof Y.Map ? votes.get(userId) : undefined;
      if (isFiniteNumber(c) && c > 0) out.set(`${kind}:${id}`, Math.floor(c));
    });
  return out;
}

// KEYS[1]: the person's hash (target → "count:client:clock"). ARGV: limit, ttl ms, n, then n
// pairs client, clock of the local state vector, then m triples target, local count, then the
// written triples target, count, "client:clock" ('' for a removal).
const SCRIPT = `
local limit = tonumber(ARGV[1])
local ttl = tonumber(ARGV[2])
local i = 3
local sv = {}
local n = tonumber(ARGV[i]); i = i + 1
for _ = 1, n do sv[ARGV[i]] = tonumber(ARGV[i + 1]); i = i + 2 end
local counts = {}
local m = tonumber(ARGV[i]); i = i + 1
for _ = 1, m do counts[ARGV[i]] = tonumber(ARGV[i + 1]); i = i + 2 end
local h = redis.call('HGETALL', KEYS[1])
for j = 1, #h, 2 do
  local c, client, clock = string.match(h[j + 1], '^(%d+):(%d+):(%d+)$')
  if c then
    local known = sv[client]
    if known == nil or known <= tonumber(clock) then counts[h[j]] = tonumber(c) end
  end
end
local written = {}
while i <= #ARGV do
  counts[ARGV[i]] = tonumber(ARGV[i + 1])
  written[#written + 1] = ARGV[i]
  written[#written + 1] = ARGV[i + 1]
  written[#written + 1] = ARGV[i + 2]
  i = i + 3
end
local sum = 0
for _, c in pairs(counts) do sum = sum + c end
if sum > limit then return 0 end
for j = 1, #written, 3 do
  if written[j + 2] == '' then redis.call('HDEL', KEYS[1], written[j])
  else redis.call('HSET', KEYS[1], written[j], written[j + 1] .. ':' .. written[j + 2]) end
end
redis.call('PEXPIRE', KEYS[1], ttl)
return 1
`;

// Removes the fields that still hold what this reservation wrote. KEYS[1]; ARGV: pairs target, value.
const RELEASE = `
for i = 1, #ARGV, 2 do
  if redis.call('HGET', KEYS[1], ARGV[i]) == ARGV[i + 1] then redis.call('HDEL', KEYS[1], ARGV[i]) end
end
return 1
`;

const TTL_MS = 60_000;

export class RedisVoteBudget implements VoteBudget {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly log: Logger,
  ) {
    redis.defineCommand('plenaryVoteBudget', { numberOfKeys: 1, lua: SCRIPT });
    redis.defineCommand('plenaryVoteRelease', { numberOfKeys: 1, lua: RELEASE });
  }

  private command(name: string): (...a: unknown[]) => Promise<number> {
    return (this.redis as unknown as Record<string, (...a: unknown[]) => Promise<number>>)[name]!.bind(
      this.redis,
    );
  }

  private key(boardId: string, userId: string): string {
    return `${this.prefix}votes:${boardId}:${userId}`;
  }

  async release(boardId: string, userId: string, report: VoteReport): Promise<void> {
    const args: string[] = [];
    for (const [target, w] of report.targets)
      if (w.item) args.push(target, `${w.count}:${w.item.client}:${w.item.clock}`);
    if (args.length === 0) return;
    await this.command('plenaryVoteRelease')(this.key(boardId, userId), ...args).catch((e: unknown) =>
      this.log.warn({ err: (e as Error).message, board: boardId }, 'vote budget: release failed'),
    );
  }

  async reserve(
    boardId: string,
    userId: string,
    limit: number,
    doc: Y.Doc,
    report: VoteReport,
  ): Promise<boolean> {
    const sv = Y.decodeStateVector(Y.encodeStateVector(doc));
    const local = ownVotes(doc, userId);
    const args: (string | number)[] = [limit, TTL_MS, sv.size];
    for (const [client, clock] of sv) args.push(client, clock);
    args.push(local.size);
    for (const [target, count] of local) args.push(target, count);
    for (const [target, w] of report.targets)
      args.push(target, w.count, w.item ? `${w.item.client}:${w.item.clock}` : '');
    try {
      const ok = await this.command('plenaryVoteBudget')(this.key(boardId, userId), ...args);
      return ok === 1;
    } catch (e) {
      // Redis out of reach: this instance's own check (already passed) decides, as with one instance.
      this.log.warn({ err: (e as Error).message, board: boardId }, 'vote budget unavailable');
      return true;
    }
  }
}
