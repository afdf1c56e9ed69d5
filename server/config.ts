import path from 'node:path';
import { BOARD_LIMITS, type BoardLimits } from '../shared/policy';
import { LIMITS } from '../shared/protocol';

/** Runtime configuration, read once from the environment (see README "Configuration"). */
export interface Config {
  port: number;
  host: string;
  dataDir: string;
  /** SQLite file; ':memory:' is allowed for tests. */
  dbFile: string;
  /** When set, creating a board requires `Authorization: Bearer <adminToken>`. */
  adminToken: string | null;
  /** When set, `GET /metrics` requires `Authorization: Bearer <metricsToken>`; unset: loopback only. */
  metricsToken: string | null;
  /** Public origin used to build board URLs; defaults to the request's own. */
  publicUrl: string | null;
  maxMessageBytes: number;
  /** Messages one connection may send per second, bursts of twice that (I3); 0: no limit. */
  maxMessagesPerSecond: number;
  /** Bytes one connection may send per second, bursts of twice that (I3); 0: no limit. */
  maxBytesPerSecond: number;
  /** Open connections per link, a board's token of one role (I4); 0: no limit. */
  maxConnectionsPerLink: number;
  /** Open connections per client address (I4); 0: no limit. */
  maxConnectionsPerAddress: number;
  tickMs: number;
  unloadGraceMs: number;
  keepAliveMs: number;
  compactAfterUpdates: number;
  /** Serve the built client from this folder (null: API only). */
  clientDir: string | null;
  /** Create a demo board from the seed page when the database is empty. */
  demoBoard: boolean;
  logLevel: string;
  /** Longest time an agenda page may take to read (it is read in a worker thread). */
  importTimeoutMs: number;
  /** PostgreSQL instead of SQLite, for several instances sharing boards (scale-out). */
  databaseUrl: string | null;
  /** Redis pub/sub relay between instances (scale-out). */
  redisUrl: string | null;
  /** QA6: public and waiting questions per board (organizers are never refused). */
  maxQuestions: number;
  /** QA6: questions asked on one board from one client address per 10 minutes. */
  questionsPerAddress: number;
  /** Prefix of the keys the instances share in Redis (rate limits, vote budgets): several deployments can share one Redis. */
  redisPrefix: string;
  /** How often instances compare their copies of a loaded document and prove they are alive (R3). */
  relayCheckMs: number;
  /** New identities (`POST /api/boards/:id/people`) one client address may get per window. */
  peoplePerAddress: number;
  /** New identities one link (a board's token of one role) may get per window. */
  peoplePerLink: number;
  /** The window of both identity limits, in ms. */
  peopleWindowMs: number;
  /** Boards (`POST /api/boards`) one client address may create per window (admins are not limited). */
  boardsPerAddress: number;
  /** The window of the board creation limit, in ms. */
  boardsWindowMs: number;
  /** Agenda imports read at the same time (each in a worker thread); beyond, 503 with Retry-After. */
  maxConcurrentImports: number;
  /** Heap of one import's worker thread, in MiB: a page that needs more gets 422 too-complex. */
  importMemoryMb: number;
  /**
   * Express's 'trust proxy' setting: false uses the socket's address as the
   * client address; behind a proxy, a hop count or the proxies' addresses
   * make Express read X-Forwarded-For.
   */
  trustProxy: boolean | number | string;
  /** Per-board limits of the rule gate (G5): notes, tasks, agenda items, bytes per document. */
  boardLimits: BoardLimits;
  /**
   * The server key that seals link tokens and join codes at rest (LK2). Unset: read from (or, on
   * first start, generated into) `$DATA_DIR/plenary-secret`. Every instance of a scale-out needs the same.
   */
  secret: string | null;
  /** Start although the stored links were sealed under another key, dropping them (the key was lost). */
  forgetLinks: boolean;
  /** Failed code attempts (join codes, codes to continue on another device) per client address and window. */
  codeAttemptsPerAddress: number;
  /** The window of the code attempt limit, in ms. */
  codeWindowMs: number;
  /**
   * Threads of the heavy-work pool (server/work/pool.ts); 0 (default): one per slot, so that an
   * admitted request never queues behind another kind's. They run at a lower CPU priority than the event loop.
   */
  workerThreads: number;
  /** Heavy work on documents smaller than this many bytes runs on the event loop (cheaper than a thread hop). */
  heavyInlineBytes: number;
  /** Heavy requests of each kind run at a time (HV2); one more gets 503 with Retry-After. */
  exportSlots: number;
  suggestSlots: number;
  historySlots: number;
  /** Bytes of computed downloads kept for unchanged boards (HV3), in MiB. */
  resultCacheMb: number;
  /** Heavy requests (exports, suggestions, snapshot downloads and restores) per client address per window (HV4). */
  heavyPerAddress: number;
  /** Heavy requests per link (a board's token of one role) per window (HV4). */
  heavyPerLink: number;
  /** Requests to any `/api/boards/:id/…` route per client address per window (HV4). */
  boardRequestsPerAddress: number;
  /** Requests to any `/api/boards/:id/…` route per link (bearer token) per window (HV4). */
  boardRequestsPerLink: number;
  /** The window of the request limits above, in ms. */
  requestWindowMs: number;
}

const int = (v: string | undefined, dflt: number): number => {
  if (v === undefined || v === '') return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`expected a non-negative integer, got "${v}"`);
  return n;
};

/** TRUST_PROXY: unset, '', 'false' or '0' → off; 'true' → every hop; a number → that many hops; else addresses/subnets. */
const trustProxy = (v: string | undefined): boolean | number | string => {
  if (v === undefined || v === '' || v === 'false' || v === '0') return false;
  if (v === 'true') return true;
  if (/^\d+$/.test(v)) return Number(v);
  return v;
};

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): Config {
  const dataDir = path.resolve(env.DATA_DIR ?? 'data');
  return {
    port: int(env.PORT, 3000),
    host: env.HOST ?? '0.0.0.0',
    dataDir,
    dbFile: env.DB_FILE ?? path.join(dataDir, 'plenary.db'),
    adminToken: env.ADMIN_TOKEN || null,
    metricsToken: env.METRICS_TOKEN || null,
    publicUrl: env.PUBLIC_URL || null,
    maxMessageBytes: int(env.MAX_MESSAGE_BYTES, LIMITS.maxMessageBytes),
    maxMessagesPerSecond: int(env.MESSAGES_PER_SECOND, 100),
    maxBytesPerSecond: int(env.BYTES_PER_SECOND, 2 * 1024 * 1024),
    maxConnectionsPerLink: int(env.CONNECTIONS_PER_LINK, 1000),
    maxConnectionsPerAddress: int(env.CONNECTIONS_PER_IP, 200),
    tickMs: int(env.SYNC_TICK_MS, LIMITS.tickMs),
    unloadGraceMs: int(env.UNLOAD_GRACE_MS, LIMITS.unloadGraceMs),
    keepAliveMs: int(env.KEEPALIVE_MS, LIMITS.keepAliveMs),
    compactAfterUpdates: int(env.COMPACT_AFTER_UPDATES, LIMITS.compactAfterUpdates),
    clientDir: env.CLIENT_DIR === '' ? null : path.resolve(env.CLIENT_DIR ?? 'dist/client'),
    demoBoard: env.DEMO_BOARD !== '0',
    logLevel: env.LOG_LEVEL ?? 'info',
    importTimeoutMs: int(env.IMPORT_TIMEOUT_MS, 10_000),
    databaseUrl: env.DATABASE_URL || null,
    redisUrl: env.REDIS_URL || null,
    redisPrefix: env.REDIS_PREFIX || 'plenary:',
    maxQuestions: int(env.MAX_QUESTIONS, 1000),
    questionsPerAddress: int(env.QUESTIONS_PER_ADDRESS, 100),
    relayCheckMs: int(env.RELAY_CHECK_MS, 1000),
    peoplePerAddress: int(env.PEOPLE_PER_ADDRESS, 100),
    peoplePerLink: int(env.PEOPLE_PER_LINK, 500),
    peopleWindowMs: int(env.PEOPLE_WINDOW_MS, 60 * 60 * 1000),
    boardsPerAddress: int(env.BOARDS_PER_ADDRESS, 20),
    boardsWindowMs: int(env.BOARDS_WINDOW_MS, 60 * 60 * 1000),
    maxConcurrentImports: int(env.MAX_CONCURRENT_IMPORTS, 2),
    importMemoryMb: int(env.IMPORT_MEMORY_MB, 256),
    trustProxy: trustProxy(env.TRUST_PROXY),
    boardLimits: {
      notes: int(env.MAX_NOTES, BOARD_LIMITS.notes),
      tasks: int(env.MAX_TASKS, BOARD_LIMITS.tasks),
      items: int(env.MAX_AGENDA_ITEMS, BOARD_LIMITS.items),
      docBytes: int(env.MAX_DOC_BYTES, BOARD_LIMITS.docBytes),
    },
    secret: env.PLENARY_SECRET || null,
    forgetLinks: env.PLENARY_FORGET_LINKS === '1',
    codeAttemptsPerAddress: int(env.CODE_ATTEMPTS_PER_ADDRESS, 30),
    codeWindowMs: int(env.CODE_WINDOW_MS, 10 * 60 * 1000),
    workerThreads: int(env.WORKER_THREADS, 0),
    heavyInlineBytes: int(env.HEAVY_INLINE_BYTES, 64 * 1024),
    exportSlots: int(env.EXPORT_SLOTS, 2),
    suggestSlots: int(env.SUGGEST_SLOTS, 2),
    historySlots: int(env.HISTORY_SLOTS, 1),
    resultCacheMb: int(env.RESULT_CACHE_MB, 64),
    heavyPerAddress: int(env.HEAVY_PER_ADDRESS, 60),
    heavyPerLink: int(env.HEAVY_PER_LINK, 120),
    boardRequestsPerAddress: int(env.BOARD_REQUESTS_PER_ADDRESS, 3000),
    boardRequestsPerLink: int(env.BOARD_REQUESTS_PER_LINK, 6000),
    requestWindowMs: int(env.REQUEST_WINDOW_MS, 60 * 1000),
  };
}

/** The server key of every test server (in-process instances of one test share a database, so one key). */
export const TEST_SECRET = 'plenary-test-secret-not-for-production';

/** Defaults for tests: in-memory database, no client, quiet. */
export function testConfig(overrides: Partial<Config> = {}): Config {
  return {
    ...configFromEnv({}),
    port: 0,
    host: '127.0.0.1',
    dbFile: ':memory:',
    clientDir: null,
    demoBoard: false,
    logLevel: 'silent',
    // The gate's attack tests send tens of MiB at once; the byte rate (I3) is tested on its own.
    maxBytesPerSecond: 0,
    secret: TEST_SECRET,
    ...overrides,
  };
}
