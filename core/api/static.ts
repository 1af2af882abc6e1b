// Serves the built dashboard (dashboard/build) under /dashboard as an SPA: a file when one exists,
// index.html for any other page path, 404 for a missing asset. The guard has already run.
import { ApiError } from "./errors.ts";

/** Where the dashboard lives in URLs. */
export const DASHBOARD_BASE = "/dashboard";

const CONTENT_TYPES: Record<string, string> = {
  html: "text/html; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
  json: "application/json; charset=utf-8",
  webmanifest: "application/manifest+json; charset=utf-8",
  svg: "image/svg+xml",
  png: "image/png",
  ico: "image/x-icon",
  txt: "text/plain; charset=utf-8",
  woff2: "font/woff2",
};

/** Headers every dashboard answer carries: no sniffing, no framing, no referrer leaks. */
const BASE_HEADERS = {
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "no-referrer",
};

const INLINE_SCRIPT_REGEXP = /<script>([\s\S]*?)<\/script>/g;

/** Answers `/dashboard…` paths from `root`, the dashboard's build directory. */
export function createStaticHandler(root: string): (pathname: string) => Promise<Response> {
  const base = root.endsWith("/") ? root : `${root}/`;
  let shell: Promise<{ html: Uint8Array; csp: string }> | undefined;

  async function loadShell(): Promise<{ html: Uint8Array; csp: string }> {
    const html = await Deno.readFile(`${base}index.html`);
    return { html, csp: await contentSecurityPolicy(new TextDecoder().decode(html)) };
  }

  return async (pathname) => {
    if (pathname === DASHBOARD_BASE) {
      return new Response(null, { status: 301, headers: { location: `${DASHBOARD_BASE}/` } });
    }
    const relative = safeRelativePath(pathname.slice(DASHBOARD_BASE.length + 1));
    if (relative !== "" && relative !== "index.html") {
      const file = await readIfFile(`${base}${relative}`);
      if (file) return fileResponse(relative, file);
      // A missing script or image is a 404; any other path is a page the SPA routes itself.
      if (/\.[a-z0-9]+$/i.test(relative)) {
        throw new ApiError(404, "not_found", `No dashboard file ${relative}`);
      }
    }
    try {
      // Read once per process: the build does not change under a running daemon.
      shell ??= loadShell();
      const { html, csp } = await shell;
      return new Response(html as Uint8Array<ArrayBuffer>, {
        headers: {
          ...BASE_HEADERS,
          "content-type": CONTENT_TYPES.html,
          "cache-control": "no-cache",
          "content-security-policy": csp,
        },
      });
    } catch (error) {
      shell = undefined;
      if (!(error instanceof Deno.errors.NotFound)) throw error;
      throw new ApiError(
        503,
        "dashboard_not_built",
        "The dashboard is not built: run `deno task build:dashboard` (deno task start does it)",
      );
    }
  };
}

/** Decodes the path below /dashboard/ and refuses anything that could leave the build directory. */
function safeRelativePath(raw: string): string {
  const segments = raw.split("/").map((segment) => {
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      throw new ApiError(400, "bad_request", "Malformed percent-encoding in the path");
    }
    if (decoded === ".." || decoded === "." || /[\\/\0]/.test(decoded)) {
      throw new ApiError(404, "not_found", "No such dashboard file");
    }
    return decoded;
  });
  return segments.filter((segment) => segment !== "").join("/");
}

async function readIfFile(path: string): Promise<Uint8Array | null> {
  try {
    return await Deno.readFile(path);
  } catch (error) {
    // A directory, or nothing there: either way not a file to send.
    if (error instanceof Deno.errors.NotFound || error instanceof Deno.errors.IsADirectory) {
      return null;
    }
    if (error instanceof Error && /EISDIR|directory/i.test(error.message)) return null;
    throw error;
  }
}

function fileResponse(relative: string, body: Uint8Array): Response {
  const extension = relative.slice(relative.lastIndexOf(".") + 1).toLowerCase();
  // Hashed names never change content; everything else (the service worker, the manifest, icons)
  // is revalidated so a rebuilt dashboard reaches the browser.
  const immutable = relative.startsWith("_app/immutable/");
  return new Response(body as Uint8Array<ArrayBuffer>, {
    headers: {
      ...BASE_HEADERS,
      "content-type": CONTENT_TYPES[extension] ?? "application/octet-stream",
      "cache-control": immutable ? "public, max-age=31536000, immutable" : "no-cache",
    },
  });
}

/**
 * A policy that allows the app's own files and the bootstrap script SvelteKit inlines into
 * index.html (by hash), and nothing from anywhere else.
 */
async function contentSecurityPolicy(html: string): Promise<string> {
  const hashes: string[] = [];
  for (const match of html.matchAll(INLINE_SCRIPT_REGEXP)) {
    const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(match[1]));
    hashes.push(`'sha256-${btoa(String.fromCharCode(...new Uint8Array(digest)))}'`);
  }
  return [
    "default-src 'self'",
    `script-src 'self' ${hashes.join(" ")}`.trim(),
    // Svelte sets inline style attributes (gauge arcs, bar widths).
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "worker-src 'self'",
    "manifest-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}
