// What the daemon loads before it serves: the static import graph of core/main.ts, as
// `deno info --json` reports it. The x509 library costs about 11 MB of memory, so only the
// dynamic imports of core/tls (creating the CA, minting a leaf) may reach it.
import assert from "node:assert/strict";

interface ModuleGraph {
  roots: string[];
  modules: {
    specifier: string;
    npmPackage?: string;
    dependencies?: { code?: { specifier: string }; isDynamic?: boolean }[];
  }[];
  redirects: Record<string, string>;
  npmPackages: Record<string, { name: string; dependencies: string[] }>;
}

const LAZY_PACKAGES = ["@peculiar/x509", "reflect-metadata"];
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

/** Names of the npm packages the roots load, their own dependencies included. */
function npmPackagesLoaded(graph: ModuleGraph, options: { dynamic: boolean }): Set<string> {
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
      if (dependency.code && (options.dynamic || !dependency.isDynamic)) {
        queue.push(dependency.code.specifier);
      }
    }
  }
  for (const id of packages) {
    for (const dependency of graph.npmPackages[id]?.dependencies ?? []) {
      if (!packages.includes(dependency)) packages.push(dependency);
    }
  }
  return new Set(packages.map((id) => graph.npmPackages[id]?.name ?? id));
}

Deno.test("core/main.ts reaches the x509 library only through dynamic imports", async () => {
  const graph = await moduleGraph("core/main.ts");
  const atStartup = npmPackagesLoaded(graph, { dynamic: false });
  assert.deepEqual(LAZY_PACKAGES.filter((name) => atStartup.has(name)), []);
  // The same walk finds them once it follows dynamic imports too, so the check above can fail.
  const eventually = npmPackagesLoaded(graph, { dynamic: true });
  assert.deepEqual(LAZY_PACKAGES.filter((name) => eventually.has(name)), LAZY_PACKAGES);
});
