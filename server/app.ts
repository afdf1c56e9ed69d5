import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo, Socket as NetSocket } from 'node:net';
import type { Redis } from 'ioredis';
import type { Server as IoServer } from 'socket.io';
import { LIMITS } from '../shared/protocol';
import { SecretBox } from './boards/cipher';
import { BoardLinks } from './boards/links';
import { checkServerKey, loadServerSecret } from './boards/server-key';
import { loadSnapshot } from './boards/snapshot';
import type { Config } from './config';
import { BoardHistory } from './history/history';
import { HeavyWork } from './work/pool';
import { ResultCache } from './work/results';
import { Slots } from './work/slots';
import { createHttpApp } from './http/app';
import { SharedLimits } from './http/rate-limit';
import { QuestionPush, roomsOf } from './questions/push';
import { QuestionService } from './questions/service';
import { PollService } from './polls/service';
import { metricsRoute } from './http/metrics';
import { createLogger, type Logger } from './log';
import { Metrics, timedStore } from './metrics';
import { SqliteStore } from './persistence/sqlite';
import type { Store } from './persistence/store';
import { Identities } from './identity/identities';
import { ClusterSessions } from './identity/cluster-sessions';
import { Devices } from './identity/devices';
import { SessionRegistry } from './identity/sessions';
import { NoRelay, type Relay } from './relay/relay';
import { SyncCore } from './sync/core';
import type { DocAccess } from './sync/doc-access';
import { authorizeByToken, forgetGuests, recordInRoster } from './sync/hooks';
import { followPrivateCount } from './boards/private-writing';
import type { Room } from './sync/room';
import { RoomManager } from './sync/rooms';
import { RedisVoteBudget } from './sync/vote-budget';
import { attachSocketIo } from './transports/socketio';
import { YWebsocketEndpoint } from './transports/y-websocket';

export interface RunningServer {
  port: number;
  config: Config;
  log: Logger;
  store: Store;
  rooms: RoomManager;
  docs: DocAccess;
  http: HttpServer;
  io: IoServer;
  /** This server's Prometheus registry (`GET /metrics`). */
  metrics: Metrics;
  /** Boards' links (sealed under the server key) and join codes. */
  links: BoardLinks;
  /** Stop accepting, flush every document, close connections and the store. */
  close(): Promise<void>;
}

export interface ServerParts {
  store?: Store;
  relay?: Relay;
  log?: Logger;
  /** The server's clock for the agenda's time-driven parts (history, questions); tests move it. */
  now?: () => number;
  /** Redis for what the instances count together (rate limits, vote budgets); default: REDIS_URL's. */
  redis?: Redis;
}

/** Wire the parts together and listen. Nothing here knows about Yjs messages. */
export async function startServer(config: Config, parts: ServerParts = {}): Promise<RunningServer> {
  const log = parts.log ?? createLogger(config.logLevel);
  const metrics = new Metrics({ documentsLoaded: (): number => rooms.loadedCount });
  // The scale-out clients (pg, ioredis) are loaded only when configured: tens of MB otherwise.
  const store = timedStore(
    parts.store ??
      (config.databaseUrl
        ? new (await import('./persistence/postgres')).PostgresStore(config.databaseUrl, 'public', log)
        : new SqliteStore(config.dbFile)),
    metrics,
  );
  const relay: Relay =
    parts.relay ??
    (config.redisUrl ? new (await import('./relay/redis')).RedisRelay(config.redisUrl, log) : new NoRelay());
  relay.onLag?.((seconds) => metrics.relayLag(seconds));
  // Counters every instance shares (rate limits): one more Redis connection, ours to close.
  const ownRedis =
    !parts.redis && config.redisUrl ? new (await import('ioredis')).Redis(config.redisUrl) : null;
  const redis = parts.redis ?? ownRedis;
  const limits = redis ? new SharedLimits(redis, config.redisPrefix) : null;
  // The server key seals links and codes at rest (LK2); every instance must hold the same one.
  const box = new SecretBox(loadServerSecret(config, log));
  await checkServerKey(box, store, config.forgetLinks, log);
  // History per talk (HS1): the rooms store through it, so it sees the live item change.
  // Work whose cost grows with a board runs in worker threads (HV1), a few at a time per kind (HV2).
  const work = new HeavyWork(
    config.workerThreads || config.exportSlots + config.suggestSlots + config.historySlots,
    log,
    config.heavyInlineBytes,
  );
  const history = new BoardHistory({ store, log, now: parts.now, work, docStore: store });
  // R6: with several instances, a person's votes are checked against the cluster's (Redis).
  const voteBudget = redis ? new RedisVoteBudget(redis, config.redisPrefix, log) : undefined;
  // Parts built after the rooms that attach to documents too (the Q&A inbox).
  const later: { questions?: QuestionService; polls?: PollService } = {};
  const rooms: RoomManager = new RoomManager({
    store,
    relay,
    log,
    config,
    ...(voteBudget ? { voteBudget } : {}),
    // What each document attaches: history follows an agenda's live item (HS1); PW1: the board
    // shows how many private notes each person wrote, never their text.
    hooks: ({ boardId, kind, owner }) => [
      ...history.documentHooks(boardId, kind),
      ...(kind === 'mine'
        ? [{ onLoad: (room: Room) => followPrivateCount(rooms, boardId, owner, room.doc, log) }]
        : []),
      ...(later.questions?.documentHooks(boardId, kind) ?? []),
      ...(later.polls?.documentHooks(boardId, kind) ?? []),
    ],
  });
  history.attach(rooms);
  const identities = new Identities(store, log);
  const sessions = new SessionRegistry();
  // Link, board and person decisions reach the connections of every instance (R4).
  const cluster = new ClusterSessions(
    sessions,
    relay,
    async (boardId) => {
      await rooms.evict(boardId);
      // Whatever this instance stored for the board since the other one deleted it goes too.
      await store.deleteBoard(boardId);
    },
    log,
  );
  await cluster.listen();
  // The connection lifecycle of both transports; its hooks name what the rest of the server decides.
  const core = new SyncCore({
    rooms,
    sessions,
    log,
    maxMessageBytes: config.maxMessageBytes,
    maxPendingMessages: LIMITS.maxPendingMessages,
    rate: { messagesPerSecond: config.maxMessagesPerSecond, bytesPerSecond: config.maxBytesPerSecond },
    maxConnectionsPerLink: config.maxConnectionsPerLink,
    maxConnectionsPerAddress: config.maxConnectionsPerAddress,
    metrics,
    hooks: {
      authorize: authorizeByToken(store, identities),
      join: recordInRoster(rooms, log),
      leave: forgetGuests(rooms, sessions, log),
    },
  });

  const questions = new QuestionService({
    store,
    docs: rooms,
    log,
    now: parts.now,
    maxQuestions: config.maxQuestions,
  });
  later.questions = questions;
  // Live polls (issue 22): answers kept server-side, counts written into the board document.
  const polls = new PollService({ store, docs: rooms, log, now: parts.now });
  later.polls = polls;
  const links = new BoardLinks({ boards: store, box, docs: rooms, sessions: cluster, log });
  const app = createHttpApp({
    config,
    log,
    limits,
    docs: rooms,
    boards: store,
    identities,
    sessions: cluster,
    snapshot: (boardId) => loadSnapshot(store, rooms, log, boardId),
    history,
    work,
    docStore: store,
    slots: new Slots({
      exports: config.exportSlots,
      suggest: config.suggestSlots,
      history: config.historySlots,
    }),
    results: new ResultCache(config.resultCacheMb * 1024 * 1024),
    questions,
    polls,
    metrics: metricsRoute(metrics, config.metricsToken),
    links,
    devices: new Devices({ store, box }),
  });
  const http = createServer(app);
  const sockets = new Set<NetSocket>();
  http.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  const yws = new YWebsocketEndpoint({
    core,
    log,
    keepAliveMs: config.keepAliveMs,
    trustProxy: config.trustProxy,
  });
  // Our listener comes first; engine.io (destroyUpgrade: false) ignores what it does not own.
  http.on('upgrade', (req, socket, head) => {
    // A throw here would end the process: a malformed request target only loses its socket.
    try {
      if (yws.handleUpgrade(req, socket, head)) return;
      if (!(req.url ?? '').startsWith('/socket.io/')) socket.destroy();
    } catch (e) {
      // Only the error's name: its details may hold the URL, and y-websocket URLs hold tokens.
      log.warn({ error: (e as Error | null)?.name }, 'upgrade refused: unexpected error');
      socket.destroy();
    }
  });
  const io = attachSocketIo(http, core, config.trustProxy, roomsOf);
  // QA9: waiting questions are pushed on the connections people already have.
  const questionPush = new QuestionPush({ io, questions, relay, log });
  await questionPush.start();

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(config.port, config.host, () => {
      http.off('error', reject);
      resolve();
    });
  });
  const port = (http.address() as AddressInfo).port;

  let closing: Promise<void> | null = null;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      http.close();
      yws.close();
      questionPush.close();
      polls.close();
      // Disconnects every Socket.io client at once; its callback waits for the HTTP server, which
      // waits for browsers' idle keep-alive connections, so those are closed below, not awaited here.
      const ioClosed = new Promise<void>((r) => void io.close(() => r()));
      http.closeIdleConnections();
      await rooms.closeAll();
      await relay.close();
      ownRedis?.disconnect();
      await store.close();
      await work.close();
      for (const s of sockets) s.destroy();
      await ioClosed;
    })());

  return { port, config, log, store, rooms, docs: rooms, http, io, metrics, links, close };
}
