// Plenary's service worker: the app shell works offline, so that a board link
// opened on a train shows what this browser kept (IndexedDB) and reconnects
// when the network returns. It caches only our own static files: never the
// API, the sync connections (Socket.io, /yjs/) or anything with a token.
// Hashed files under /assets/ never change: cache first. Pages: network first,
// falling back to the cached shell (the client routes /b/<id> itself).

const CACHE = 'plenary-shell-v1';
const SHELL = '/index.html';

const isStatic = (url) =>
  url.origin === self.location.origin &&
  !url.pathname.startsWith('/api/') &&
  !url.pathname.startsWith('/socket.io/') &&
  !url.pathname.startsWith('/yjs/') &&
  url.pathname !== '/metrics' &&
  url.pathname !== '/sw.js';

/** The shell and the files it names (the entry script and styles). */
async function precache() {
  const cache = await caches.open(CACHE);
  const res = await fetch(SHELL, { cache: 'no-cache' });
  if (!res.ok) return;
  const html = await res.clone().text();
  await cache.put(SHELL, res);
  const assets = [...html.matchAll(/(?:src|href)="(\/[^"]+)"/g)].map((m) => m[1]);
  await Promise.all(
    assets.map((a) =>
      cache.add(a).catch(() => {
        // A missing icon must not stop the shell from working offline.
      }),
    ),
  );
}

self.addEventListener('install', (event) => {
  event.waitUntil(precache().then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (event) => {
  const req = event.request;
  if (req.method !== 'GET') return;
  const url = new URL(req.url);
  if (!isStatic(url)) return;
  if (req.mode === 'navigate') {
    // Network first, so a new version is used at once; the shell when offline.
    event.respondWith(
      fetch(req).then(
        (res) => {
          if (res.ok) {
            const copy = res.clone();
            void caches.open(CACHE).then((c) => c.put(SHELL, copy));
          }
          return res;
        },
        () => caches.match(SHELL).then((hit) => hit ?? Response.error()),
      ),
    );
    return;
  }
  event.respondWith(
    caches.match(req).then(
      (hit) =>
        hit ??
        fetch(req).then((res) => {
          if (res.ok && url.pathname.startsWith('/assets/')) {
            const copy = res.clone();
            void caches.open(CACHE).then((c) => c.put(req, copy));
          }
          return res;
        }),
    ),
  );
});
