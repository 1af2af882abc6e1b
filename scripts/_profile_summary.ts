// Self time per function and per file from a V8 CPU profile (the inspector's Profiler.stop).

/** The parts of a V8 CPU profile read here. */
export interface CpuProfile {
  nodes: {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
  }[];
  samples: number[];
  timeDeltas: number[];
}

/** Rows like ` 12.3%  45.6 ms  getName ext:deno_node/https.ts:1`, largest first. */
export interface SelfTimes {
  totalMs: number;
  byFunction: string[];
  byFile: string[];
  /** Lumen's code, Deno's Node compatibility layer, V8's collector, native calls, idle. */
  byLayer: string[];
}

/** Functions the inspector itself runs (network events for node:http clients), not Lumen's cost. */
const INSPECTOR_OWN = /^op_inspector_|inspector_network_bridge/;

export function selfTimes(profile: CpuProfile): SelfTimes {
  const micros = new Map<number, number>();
  profile.samples.forEach((id, i) => {
    micros.set(id, (micros.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  const byFunction = new Map<string, number>();
  const byFile = new Map<string, number>();
  const byLayer = new Map<string, number>();
  let total = 0;
  for (const { id, callFrame } of profile.nodes) {
    const us = micros.get(id) ?? 0;
    const file = shortUrl(callFrame.url);
    const name = `${callFrame.functionName || "(anonymous)"}${
      file ? ` ${file}:${callFrame.lineNumber + 1}` : ""
    }`;
    const where = INSPECTOR_OWN.test(name) ? "(inspector)" : file || name;
    total += us;
    byFunction.set(name, (byFunction.get(name) ?? 0) + us);
    byFile.set(where, (byFile.get(where) ?? 0) + us);
    const layer = layerOf(where, callFrame.functionName);
    byLayer.set(layer, (byLayer.get(layer) ?? 0) + us);
  }
  const rows = (m: Map<string, number>) =>
    [...m].sort((a, b) => b[1] - a[1]).map(([name, us]) =>
      `${(100 * us / total).toFixed(1).padStart(5)}% ${
        (us / 1000).toFixed(1).padStart(8)
      } ms  ${name}`
    );
  return {
    totalMs: total / 1000,
    byFunction: rows(byFunction),
    byFile: rows(byFile),
    byLayer: rows(byLayer),
  };
}

function layerOf(where: string, functionName: string): string {
  if (where === "(inspector)") return "inspector (profiling only)";
  if (where.startsWith("core/")) return "Lumen (core/)";
  if (where.startsWith("npm:")) return "npm packages";
  if (/^(node:|ext:deno_node)/.test(where)) return "Deno's Node compatibility layer (JS)";
  if (where.startsWith("ext:")) return "Deno runtime (JS)";
  if (functionName === "(garbage collector)") return "V8 garbage collector";
  if (functionName === "(idle)") return "idle";
  // SQLite's exec (BEGIN/COMMIT, fsync), writev, TLS and the HTTP parser's ops.
  return "native calls (ops, SQLite)";
}

/** `file:///…/lumen/core/x.ts` → `core/x.ts`; Deno's own modules keep their `ext:`/`node:` name. */
function shortUrl(url: string): string {
  const repo = url.indexOf("/core/");
  if (url.startsWith("file://") && repo !== -1) return url.slice(repo + 1);
  return url.replace(/^file:\/\/.*\/node_modules\//, "npm:");
}
