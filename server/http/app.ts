import { existsSync } from 'node:fs';
import path from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import expressStaticGzip from 'express-static-gzip';
import helmet from 'helmet';
import { LIMITS } from '../../shared/protocol';
import type { Role } from '../../shared/schema';
import { authenticate } from '../boards/tokens';
import type { BoardStore } from '../persistence/store';
import { agendaRoutes } from './agenda';
import { boardRoutes, creationLimit, type BoardDeps } from './boards';
import { bearerOf, HttpError, type RouteContext } from './context';
import { deviceRoutes, type DeviceDeps } from './devices';
import { privateWritingRoutes } from './private-writing';
import { docStateRoutes } from './doc-states';
import { duplicateRoutes } from './duplicate';
import { exportRoutes } from './exports';
import { groupRoutes } from './groups';
import { boardRequestLimits, heavyLimits, type HeavyDeps } from './heavy';
import { codeAttemptLimit, joinRoutes, type JoinDeps } from './join';
import { linkRoutes, type LinkDeps } from './links';
import { peopleRoutes, type PeopleDeps } from './people';
import { pollRoutes, type PollDeps } from './polls';
import { questionRoutes, type QuestionDeps } from './questions';
import { snapshotRoutes, type SnapshotDeps } from './snapshots';

type AppContext = Omit<RouteContext, 'requireBoard'> & { boards: BoardStore } & PeopleDeps &
  Omit<HeavyDeps, 'heavyLimits'> &
  LinkDeps &
  SnapshotDeps &
  Pick<QuestionDeps, 'questions'> &
  Pick<PollDeps, 'polls'> &
  Omit<JoinDeps & DeviceDeps & BoardDeps, 'codeAttempts' | 'boardCreation'> & {
    /** `GET /metrics` (server/http/metrics.ts); absent: no such route. */
    metrics?: RequestHandler;
  };

export function makeRequireBoard(boards: BoardStore): RouteContext['requireBoard'] {
  return (...roles: Role[]): RequestHandler =>
    async (req, res, next) => {
      const found = await authenticate(boards, req.params.id, bearerOf(req));
      if (!found) return next(new HttpError(401, 'unauthorized', 'missing or wrong token for this board'));
      if (roles.length > 0 && !roles.includes(found.role))
        return next(new HttpError(403, 'forbidden', `this needs the ${roles.join(' or ')} link`));
      res.locals.board = { id: found.board.id, title: found.board.title, role: found.role };
      next();
    };
}

/** A Host header that is only a host name or address and an optional port (nothing that could end a directive). */
const SAFE_HOST = /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/;

/**
 * Response headers (helmet): a strict Content-Security-Policy (scripts and
 * styles only from our origin, no inline script, never framed), nosniff, no
 * referrer, X-Frame-Options DENY, and HSTS when the public origin is https.
 * The WebSocket origin (Socket.io and y-websocket) is PUBLIC_URL's, or the
 * request's own host: 'self' covers ws: and wss: only in CSP Level 3 browsers.
 */
export function securityHeaders(publicUrl: string | null): RequestHandler {
  const https = publicUrl?.toLowerCase().startsWith('https://') ?? false;
  const pub = publicUrl ? new URL(publicUrl) : null;
  const fixedWs = pub ? `${https ? 'wss' : 'ws'}://${pub.host}` : null;
  const ownWebSocket = (req: IncomingMessage): string => {
    if (fixedWs) return fixedWs;
    const host = req.headers.host ?? '';
    // Without PUBLIC_URL the scheme is not known behind a proxy: allow both for our host only.
    return SAFE_HOST.test(host) ? `ws://${host} wss://${host}` : '';
  };
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        'default-src': ["'self'"],
        'script-src': ["'self'"],
        'script-src-attr': ["'none'"],
        'style-src': ["'self'"],
        'img-src': ["'self'", 'data:'],
        'font-src': ["'self'"],
        'connect-src': ["'self'", ownWebSocket],
        'object-src': ["'none'"],
        'base-uri': ["'none'"],
        'form-action': ["'self'"],
        'frame-ancestors': ["'none'"],
        'upgrade-insecure-requests': https ? [] : null,
      },
    },
    // Tokens live in URL fragments, which are never sent; still, send no referrer at all.
    referrerPolicy: { policy: 'no-referrer' },
    xFrameOptions: { action: 'deny' },
    strictTransportSecurity: https ? { maxAge: 31_536_000, includeSubDomains: false } : false,
  });
}

/** The Express app: JSON API, exports, health check and the built client. */
export function createHttpApp(base: AppContext): express.Express {
  const requireBoard = makeRequireBoard(base.boards);
  const ctx: RouteContext &
    AppContext &
    QuestionDeps &
    PollDeps &
    JoinDeps &
    DeviceDeps &
    BoardDeps &
    HeavyDeps = {
    ...base,
    requireBoard,
    heavyLimits: heavyLimits(base),
    codeAttempts: codeAttemptLimit(base),
    boardCreation: creationLimit(base),
  };
  const app = express();
  app.disable('x-powered-by');
  // The client address (rate limits): the socket's unless TRUST_PROXY names the proxies.
  app.set('trust proxy', base.config.trustProxy);
  // sendFile needs an absolute path; configs from tests may hold relative ones.
  const dir = base.config.clientDir ? path.resolve(base.config.clientDir) : null;
  const client = dir && existsSync(path.join(dir, 'index.html')) ? dir : null;
  if (client) {
    // DL1: the build's hashed files come before the page's headers. A policy (CSP, framing, COOP)
    // governs a document, not the scripts and styles it loads, so these carry only what applies to
    // them: about 600 bytes less on each file of a first load.
    app.use('/assets', assetHeaders, staticFiles(path.join(client, 'assets'), client));
  }
  app.use(securityHeaders(base.config.publicUrl));
  app.use(express.json({ limit: LIMITS.maxHttpBodyBytes }));

  app.get('/healthz', (_req, res) => {
    res.json({ ok: true });
  });
  if (base.metrics) app.get('/metrics', base.metrics);
  // HV4: every route that reads a board, per address and per link, before any other work.
  app.use('/api/boards/:id', ...boardRequestLimits(base));
  app.use(boardRoutes(ctx));
  app.use(agendaRoutes(ctx));
  app.use(exportRoutes(ctx));
  app.use(groupRoutes(ctx));
  app.use(snapshotRoutes(ctx));
  app.use(questionRoutes(ctx));
  app.use(pollRoutes(ctx));
  app.use(deviceRoutes(ctx));
  app.use(peopleRoutes(ctx));
  app.use(linkRoutes(ctx));
  app.use(joinRoutes(ctx));
  app.use(duplicateRoutes(ctx));
  app.use(docStateRoutes(ctx));
  app.use(privateWritingRoutes(ctx));
  app.use('/api', (_req, _res, next) => next(new HttpError(404, 'not-found', 'no such API route')));

  if (client) {
    app.use(staticFiles(client, client));
    // Single-page app: every page (landing, boards, and unknown paths, which the
    // client answers with its own "not found") gets index.html.
    app.use((req, res, next) => {
      if (req.method !== 'GET' || req.path.startsWith('/api/') || !req.accepts('html')) return next();
      // A chunk of another build (an old tab after a deploy) is a 404, never this page as a script.
      if (req.path.startsWith('/assets/')) return next();
      res.set('cache-control', 'no-cache');
      res.sendFile(path.join(client, 'index.html'));
    });
  } else if (dir) {
    app.get('/', (_req, res) => {
      res.status(503).type('text').send('The client is not built: run `npm run build` (npm start does it).');
    });
  }

  const onError: ErrorRequestHandler = (err: unknown, _req, res, _next) => {
    if (err instanceof HttpError) {
      res.status(err.status).json({ error: { code: err.code, message: err.message } });
      return;
    }
    const e = err as { type?: string; status?: number; message?: string };
    if (e.type === 'entity.too.large') {
      res
        .status(413)
        .json({ error: { code: 'too-large', message: `body over ${LIMITS.maxHttpBodyBytes} bytes` } });
      return;
    }
    if (e.type === 'entity.parse.failed') {
      res.status(400).json({ error: { code: 'bad-json', message: 'the body is not valid JSON' } });
      return;
    }
    if (typeof e.status === 'number' && e.status >= 400 && e.status < 500) {
      res.status(e.status).json({ error: { code: 'bad-request', message: e.message ?? 'bad request' } });
      return;
    }
    base.log.error({ err }, 'request failed');
    res.status(500).json({ error: { code: 'internal', message: 'internal error' } });
  };
  app.use(onError);
  return app;
}

/** The build's brotli and gzip copies (scripts/precompress.ts) when the browser takes them. */
function staticFiles(root: string, clientDir: string): RequestHandler {
  return expressStaticGzip(root, {
    enableBrotli: true,
    orderPreference: ['br', 'gzip'],
    index: false,
    serveStatic: { maxAge: '1h', setHeaders: (res, file) => cacheHeaders(res, clientDir, file) },
  });
}

/** What a script, style or image needs: no sniffing its type, not loaded by other sites. */
const assetHeaders: RequestHandler = (_req, res, next) => {
  res.set('x-content-type-options', 'nosniff');
  res.set('cross-origin-resource-policy', 'same-origin');
  next();
};

/** Matches the file name Vite gives a built asset: `<name>-<8-char content hash>.<ext>`. */
const HASHED_ASSET = /^assets[\\/][^\\/]+-[A-Za-z0-9_-]{8}\.[a-z0-9]+(?:\.(?:br|gz))?$/;

/**
 * DL1: a hashed asset never changes (a new build gives it a new name), so
 * browsers keep it a year without asking; index.html and the service worker
 * are revalidated at every visit so that a new version reaches browsers at once.
 * `file` is the file sent, possibly its `.br`/`.gz` copy.
 */
function cacheHeaders(res: ServerResponse, dir: string, file: string): void {
  const rel = path.relative(dir, file);
  if (HASHED_ASSET.test(rel)) res.setHeader('cache-control', 'public, max-age=31536000, immutable');
  else if (/\.html(?:\.(?:br|gz))?$/.test(rel) || /^sw\.js(?:\.(?:br|gz))?$/.test(rel))
    res.setHeader('cache-control', 'no-cache');
}
