// Checks the dependency direction of DESIGN.md / STYLE.md: which folder may import which.
// Run by `deno task lint:deps`; exits 1 listing every offending import.

/** Folder → path prefixes (relative to the repo root) its non-test files may import. */
const ALLOWED: Record<string, string[]> = {
  // node:zlib only for synchronous inflation of compressed Connect frames: computation, not I/O.
  "core/parse/": ["core/parse/", "core/types.ts", "node:zlib"],
  "pricing/": ["pricing/", "core/types.ts"],
  "core/proxy/": ["core/proxy/", "core/tls/", "node:"],
  "core/tls/": ["core/tls/", "core/files.ts", "node:"],
  "core/capture/": [
    "core/capture/",
    "core/parse/",
    "core/proxy/tap.ts",
    "core/types.ts",
    "core/uuid.ts",
    "node:",
  ],
  // node:sqlite for store.ts (the only importer, checked below); config.ts for ConfigError.
  "core/usage/": [
    "core/usage/",
    "core/types.ts",
    "core/uuid.ts",
    "core/config.ts",
    "pricing/",
    "node:sqlite",
  ],
  // types.ts also names the pricing and debug-capture documents the API answers with.
  "core/api/": [
    "core/api/",
    "core/usage/",
    "core/types.ts",
    "core/price_status_types.ts",
    "core/capture/debug_capture.ts",
  ],
  // The dashboard reaches core only over HTTP; it shares the API's document types, nothing else.
  "dashboard/src/": ["#lib", "$app/", "svelte", "chart.js", "core/api/types.ts", "dashboard/src/"],
  // launchers/ for `lumen env` and `lumen launch`.
  // core/trust/ and the API's document types for `lumen ca`.
  "core/cli/": [
    "core/cli/",
    "core/config.ts",
    "core/usage/",
    "core/types.ts",
    "node:",
    "launchers/",
    "core/trust/",
    "core/api/types.ts",
  ],
  // Metrics read UsageEvents only; node:http(s) for the OTLP push (fetch honours HTTP(S)_PROXY).
  "core/metrics/": ["core/metrics/", "core/types.ts", "core/config.ts", "node:http", "node:https"],
  // The system trust store: plans, runner, the handshake check; ca.pem's facts from tls/.
  "core/trust/": ["core/trust/", "core/tls/trust_facts.ts", "node:url"],
  // Client definitions, env builders and starters; the API's LauncherInfo is their only import.
  "launchers/": ["launchers/", "core/api/types.ts"],
  // Team sync: the queue lives in lumen.db (usage/), the OAuth client library, the API's status
  // document type; never the proxy, parsers or the API's code.
  "core/sync/": [
    "core/sync/",
    "core/usage/",
    "core/types.ts",
    "core/uuid.ts",
    "core/config.ts",
    "core/files.ts",
    "core/api/types.ts",
    "oauth4webapi",
  ],
};

/** Modules only one file may import (STYLE.md: `store.ts` is the only importer of SQLite). */
const SOLE_IMPORTERS: Record<string, string> = { "node:sqlite": "core/usage/store.ts" };

/** Pure modules: no Deno namespace, clocks or network, so they can be fed bytes in any test. */
const PURE = [
  "core/parse/",
  "pricing/",
  "launchers/definitions.ts",
  "launchers/env.ts",
  "launchers/shell.ts",
  "core/trust/plan.ts",
];
const IMPURE_REGEXP = /\bDeno\.|\bfetch\(|\bDate\.now\(|\bsetTimeout\(|\bsetInterval\(/;
const IMPORT_REGEXP =
  /(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s*["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g;

function isTestSupport(path: string): boolean {
  const name = path.split("/").pop()!;
  return name.endsWith("_test.ts") || name.startsWith("_contract") ||
    (name.startsWith("_") && name.endsWith("_fixture.ts"));
}

function resolve(from: string, specifier: string): string {
  if (!specifier.startsWith(".")) return specifier;
  const parts = from.split("/").slice(0, -1);
  for (const part of specifier.split("/")) {
    if (part === "..") parts.pop();
    else if (part !== ".") parts.push(part);
  }
  return parts.join("/");
}

async function* walk(dir: string): AsyncGenerator<string> {
  for await (const entry of Deno.readDir(dir)) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) yield* walk(path);
    else if (/\.(ts|svelte)$/.test(entry.name)) yield path;
  }
}

const problems: string[] = [];
for (const root of ["core", "pricing", "dashboard/src", "launchers"]) {
  for await (const path of walk(root)) {
    if (isTestSupport(path)) continue;
    const text = await Deno.readTextFile(path);
    const folder = Object.keys(ALLOWED).find((prefix) => path.startsWith(prefix));
    for (const match of text.matchAll(IMPORT_REGEXP)) {
      const target = resolve(path, match[1] ?? match[2]);
      if (target === "core/main.ts") problems.push(`${path}: nothing may import core/main.ts`);
      if (
        target.startsWith("core/api/") && target !== "core/api/types.ts" &&
        !path.startsWith("core/api/") && path !== "core/main.ts"
      ) {
        problems.push(`${path}: only core/main.ts may import ${target}`);
      }
      const owner = SOLE_IMPORTERS[target];
      if (owner && path !== owner) problems.push(`${path}: only ${owner} may import ${target}`);
      if (folder && !ALLOWED[folder].some((allowed) => target.startsWith(allowed))) {
        problems.push(`${path}: ${folder} may not import ${target}`);
      }
    }
    if (PURE.some((prefix) => path.startsWith(prefix))) {
      const code = text.replace(/\/\/.*$/gm, "").replace(/\/\*[\s\S]*?\*\//g, "");
      const impure = code.match(IMPURE_REGEXP);
      if (impure) problems.push(`${path}: pure module uses ${impure[0]}`);
    }
  }
}

if (problems.length > 0) {
  console.error(`Dependency rules broken:\n  ${problems.join("\n  ")}`);
  Deno.exit(1);
}
console.log("Dependency rules hold");
