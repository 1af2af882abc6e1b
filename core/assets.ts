// Finds the built dashboard for `deno run` from source and for a `deno compile`d binary alike.
import { fileURLToPath } from "node:url";

/** What findDashboardDir() asks of the process; tests pass fakes. */
export interface AssetsContext {
  /** Reads an environment variable (LUMEN_ASSETS_DIR). */
  env(name: string): string | undefined;
  /** Whether this is a `deno compile`d binary (Deno.build.standalone). */
  standalone: boolean;
  /** The running executable (Deno.execPath()). */
  execPath: string;
  /** Whether `path` is a directory holding index.html. */
  hasIndex(path: string): boolean;
}

/**
 * The dashboard build directory, in this order: `LUMEN_ASSETS_DIR` when set (taken as is, so a
 * wrong value shows up as a missing dashboard rather than silently serving another one); else
 * `dashboard/build` relative to this module, which inside a binary compiled with
 * `--include dashboard/build` is the embedded copy (deno compile's virtual file system answers
 * reads relative to import.meta); else, for a binary compiled without it, a `dashboard` folder
 * next to the executable. `moduleUrl` is this module's URL; the result ends with a separator.
 */
export function findDashboardDir(
  ctx: AssetsContext = denoAssetsContext(),
  moduleUrl: string = import.meta.url,
): string {
  const explicit = ctx.env("LUMEN_ASSETS_DIR");
  if (explicit) return withSlash(explicit);
  const relative = fileURLToPath(new URL("../dashboard/build/", moduleUrl));
  if (!ctx.standalone || ctx.hasIndex(relative)) return relative;
  const beside = `${parentOf(ctx.execPath)}dashboard/`;
  return ctx.hasIndex(beside) ? beside : relative;
}

/** The real process: environment, Deno.build.standalone and the file system. */
export function denoAssetsContext(): AssetsContext {
  return {
    env: (name) => Deno.env.get(name),
    standalone: Deno.build.standalone === true,
    execPath: Deno.execPath(),
    hasIndex(path) {
      try {
        return Deno.statSync(`${withSlash(path)}index.html`).isFile;
      } catch {
        return false; // missing or unreadable: not a usable dashboard build
      }
    },
  };
}

function withSlash(path: string): string {
  return /[\\/]$/.test(path) ? path : `${path}/`;
}

/** `path`'s folder with its trailing separator, or "./" for a bare name. */
function parentOf(path: string): string {
  const cut = Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\"));
  return cut < 0 ? "./" : path.slice(0, cut + 1);
}
