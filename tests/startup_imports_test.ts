// What the daemon and the CLI can ever load: the import graph of core/main.ts, dynamic imports
// included, as `deno info --json` reports it. The x509 library costs about 11 MB of memory and the
// daemon mints a leaf within a second of starting, so core/tls builds certificates without it.
import assert from "node:assert/strict";

interface ModuleGraph {
  roots: string[];
  modules: {
    specifier: string;
    npmPackage?: string;
    dependencies?: { code?: { specifier: string } }[];
  }[];
  redirects: Record<string, string>;
  npmPackages: Record<string, { name: string; dependencies: string[] }>;
}

const X509_PACKAGES = ["@peculiar/x509", "reflect-metadata"];
const ROOT = new URL("..", import.meta.url);

/** The graph of `path`, relative to the repository (whose deno.json maps the npm packages). */
async function moduleGraph(path: string): Promise<ModuleGraph> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", path],
    cwd: ROOT,
    stdin: "null",
  }).output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  return JSON.parse(new TextDecoder().decode(out.stdout));
}

/** Names of the npm packages the roots may load, their own dependencies included. */
function npmPackagesLoaded(graph: ModuleGraph): Set<string> {
  const modules = new Map(graph.modules.map((module) => [module.specifier, module]));
  const seen = new Set<string>();
  const packages: string[] = [];
  const queue = [...graph.roots];
  for (const specifier of queue) {
    const resolved = graph.redirects[specifier] ?? specifier;
    if (seen.has(resolved)) continue;
    seen.add(resolved);
    const module = modules.get(resolved);
    if (module?.npmPackage) packages.push(module.npmPackage);
    for (const dependency of module?.dependencies ?? []) {
      // Type-only imports have no `code` entry: they are erased before the module runs.
      if (dependency.code) queue.push(dependency.code.specifier);
    }
  }
  for (const id of packages) {
    for (const dependency of graph.npmPackages[id]?.dependencies ?? []) {
      if (!packages.includes(dependency)) packages.push(dependency);
    }
  }
  return new Set(packages.map((id) => graph.npmPackages[id]?.name ?? id));
}

Deno.test("core/main.ts never reaches the x509 library, not even through dynamic imports", async () => {
  const loaded = npmPackagesLoaded(await moduleGraph("core/main.ts"));
  assert.deepEqual(X509_PACKAGES.filter((name) => loaded.has(name)), []);
  // The same walk finds them from a test that cross-checks certificates with them, so the check
  // above can fail.
  const control = npmPackagesLoaded(await moduleGraph("core/tls/_certificate_builder_test.ts"));
  assert.deepEqual(X509_PACKAGES.filter((name) => control.has(name)), X509_PACKAGES);
});
