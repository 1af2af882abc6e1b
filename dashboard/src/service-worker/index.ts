// The dashboard's service worker: keeps the app shell (built files, static assets, index page) in a
// cache per build so the dashboard opens at once and installs as an app. It never touches the
// daemon's live data: `/api/*`, `/metrics` and anything else outside the shell go to the network
// exactly as if there were no worker.
import { version } from "$app/env";
import { assets, immutable } from "$app/manifest";
import { self } from "$app/service-worker";

/** One cache per build; older ones are deleted when this worker activates. */
const CACHE = `lumen-shell-${version}`;
/** The dashboard's root (`/dashboard/`): the worker's own folder, which is also its scope. */
const ROOT = new URL("./", self.location.href);
/** The SPA answers every page path with this one document. */
const INDEX = ROOT.href;
/** This build's files and static assets: fixed for the build, so served from its cache alone. */
const PRECACHED = new Set(
  [...immutable, ...assets].map(({ path }) => new URL(path, ROOT).href),
);

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CACHE)
      .then((cache) => cache.addAll([...PRECACHED, INDEX]))
      // The old shell's files are gone from the server after a rebuild: take over at once.
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) =>
        Promise.all(
          keys.filter((key) => key.startsWith("lumen-shell-") && key !== CACHE)
            .map((key) => caches.delete(key)),
        )
      )
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const { request } = event;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  // Only the shell is ours; returning without respondWith() leaves a request to the network.
  if (url.origin !== ROOT.origin || !url.pathname.startsWith(ROOT.pathname)) return;
  if (request.mode === "navigate") {
    event.respondWith(navigate(request, event));
  } else if (PRECACHED.has(url.origin + url.pathname)) {
    event.respondWith(cacheFirst(request, url.origin + url.pathname));
  }
});

/**
 * Pages come from the daemon while it runs (a rebuilt dashboard shows at once), and from the
 * cached index when it does not, so the shell still opens and reports that Lumen is offline.
 */
async function navigate(
  request: Request,
  event: ExtendableEvent,
): Promise<Response> {
  try {
    const response = await fetch(request);
    // A file opened directly (an icon, the manifest) is not the shell.
    if (
      response.ok &&
      response.headers.get("content-type")?.startsWith("text/html")
    ) {
      const copy = response.clone();
      event.waitUntil(
        caches.open(CACHE).then((cache) => cache.put(INDEX, copy)),
      );
    }
    return response;
  } catch (error) {
    const cached = await caches.match(INDEX, { cacheName: CACHE });
    if (cached) return cached;
    throw error;
  }
}

async function cacheFirst(request: Request, key: string): Promise<Response> {
  const cached = await caches.match(key, { cacheName: CACHE });
  return cached ?? await fetch(request);
}
