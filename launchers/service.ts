// The launchers as the daemon offers them: what is installed, how to start each, and the start
// itself for GUI apps (the daemon has no terminal to give a terminal program). main.ts hands it
// to the API as its LaunchersService.
import type { LauncherInfo } from "../core/api/types.ts";
import {
  defaultMode,
  launcherById,
  type LauncherDefinition,
  LAUNCHERS,
  type LaunchMode,
  type Os,
} from "./definitions.ts";
import { envFor, type EnvPaths } from "./env.ts";
import { type FindContext, findProgram, type FindResult } from "./find.ts";
import { type LaunchPlan, planLaunch, startDetached } from "./launch.ts";
import { renderEnv, type Shell } from "./shell.ts";

/** What the service needs from the machine and the daemon. */
export interface LauncherServiceOptions extends FindContext {
  paths: EnvPaths;
  /** Starts a GUI app's plan and returns its pid; default startDetached(). */
  start?(plan: LaunchPlan): number;
}

/** The answer to a launch request: started, or why not (the API maps `code` to a status). */
export type LaunchOutcome =
  | { ok: true; pid: number }
  | { ok: false; code: "not_found" | "bad_request" | "not_launchable"; message: string };

/** The launcher list, launches and env lines for the API. */
export function createLauncherService(options: LauncherServiceOptions) {
  const start = options.start ?? startDetached;
  return {
    /** Every launcher, with whether it is installed here and how to start it. */
    list(): LauncherInfo[] {
      return LAUNCHERS.map((launcher) =>
        describeLauncher(launcher, findProgram(launcher, options), options)
      );
    },
    /** Starts an installed GUI app; `mode` only for launchers that offer both. */
    launch(id: string, mode?: LaunchMode): LaunchOutcome {
      const launcher = launcherById(id);
      if (!launcher) return { ok: false, code: "not_found", message: unknownLauncher(id) };
      if (mode !== undefined && launcher.mode !== "either") {
        return { ok: false, code: "bad_request", message: `${launcher.name} has no mode choice` };
      }
      const found = findProgram(launcher, options);
      const info = describeLauncher(launcher, found, options);
      if (!info.launchable || found.path === null) {
        return { ok: false, code: "not_launchable", message: info.reason ?? "Cannot launch" };
      }
      const plan = planLaunch(launcher, {
        os: options.os,
        path: found.path,
        mode: mode ?? defaultMode(launcher),
        paths: options.paths,
        inheritedNoProxy: options.env("NO_PROXY") ?? options.env("no_proxy"),
        comspec: options.env("ComSpec"),
      });
      return { ok: true, pid: start(plan) };
    },
    /** The lines `lumen env --mode <mode> --shell <shell>` prints. */
    env(mode: LaunchMode, shell: Shell): string {
      return envLines(mode, shell, options.paths);
    },
  };
}

/** The text `lumen env` prints: the plain shell's variables for `mode`, rendered for `shell`. */
export function envLines(mode: LaunchMode, shell: Shell, paths: EnvPaths): string {
  return renderEnv(shell, envFor(launcherById("shell")!, mode, paths));
}

/** `launcher` as `GET /api/launchers` lists it. */
export function describeLauncher(
  launcher: LauncherDefinition,
  found: FindResult,
  { os, paths }: { os: Os; paths: EnvPaths },
): LauncherInfo {
  const installed = found.path !== null;
  const command = `lumen launch ${launcher.id}`;
  const launchable = installed && launcher.kind === "gui";
  let reason: string | null = null;
  if (!installed) reason = notFound(launcher, found, os);
  else if (!launchable) reason = `Start it from a terminal: ${command}`;
  return {
    id: launcher.id,
    name: launcher.name,
    description: launcher.description,
    mode: launcher.mode,
    kind: launcher.kind,
    installed,
    path: found.path,
    launchable,
    reason,
    env: envFor(launcher, defaultMode(launcher), paths),
    command,
  };
}

/** Says where a client was looked for and how to install it. */
export function notFound(launcher: LauncherDefinition, found: FindResult, os: Os): string {
  const note = launcher.os[os].note;
  const where = found.looked.length ? found.looked.join(", ") : "nothing (no candidate applies)";
  return `${launcher.name} is not installed${note ? ` (${note})` : ""}: looked for ${where}. ` +
    `To install it: ${launcher.install}`;
}

/** Names the valid ids. */
export function unknownLauncher(id: string): string {
  return `Unknown launcher "${id}"; choose one of: ${LAUNCHERS.map((l) => l.id).join(", ")}`;
}

/** The definitions' OS for `Deno.build.os`: the BSDs and other Unixes are looked at as Linux. */
export function launcherOs(buildOs: string): Os {
  return buildOs === "darwin" || buildOs === "windows" ? buildOs : "linux";
}
