/// <reference lib="webworker" />
/**
 * The service worker that makes the app work offline after the first visit. The build (the
 * `offline` plugin in scripts/vite-plugins.ts) replaces __PRECACHE_MANIFEST__ with the list of the
 * files it wrote, relative to this file, and a version derived from their hashed names; install
 * caches them all. Pages are served network first (a new version arrives when online) and fall
 * back to the cached page offline; every other file of the app is served from the cache first.
 * Files outside the list (KaTeX's .woff/.ttf fallbacks) are cached when first fetched.
 */
export {};

declare const __PRECACHE_MANIFEST__: { version: string; files: string[] };

const sw = self as unknown as ServiceWorkerGlobalScope;
const manifest = __PRECACHE_MANIFEST__;
const CACHE = `argmin-${manifest.version}`;
const scope = () => sw.registration.scope;
const page = () => new URL('index.html', scope()).href;

sw.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(manifest.files.map((f) => new URL(f, scope()).href)))
      .then(() => sw.skipWaiting()),
  );
});

sw.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) =>
        Promise.all(
          keys.filter((k) => k.startsWith('argmin-') && k !== CACHE).map((k) => caches.delete(k)),
        ),
      )
      .then(() => sw.clients.claim()),
  );
});

async function networkFirstPage(request: Request): Promise<Response> {
  const cache = await caches.open(CACHE);
  try {
    const res = await fetch(request);
    if (res.ok) await cache.put(page(), res.clone());
    return res;
  } catch (e) {
    const hit = (await cache.match(page())) ?? (await cache.match(request));
    if (hit) return hit;
    throw e;
  }
}

async function cacheFirst(request: Request): Promise<Response> {
  const cache = await caches.open(CACHE);
  const hit = await cache.match(request);
  if (hit) return hit;
  const res = await fetch(request);
  if (res.ok && res.type === 'basic') await cache.put(request, res.clone());
  return res;
}

sw.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET' || !request.url.startsWith(scope())) return;
  event.respondWith(request.mode === 'navigate' ? networkFirstPage(request) : cacheFirst(request));
});
