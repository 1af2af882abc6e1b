// `lumen launch <client> [--mode relay|proxy] [-- args]`: starts a client with Lumen's variables.
// Terminal programs run in this terminal and their exit code becomes Lumen's; GUI apps start
// detached and Lumen returns at once.
import {
  defaultMode,
  findProgram,
  launcherById,
  LAUNCHERS,
  type LaunchMode,
  type LaunchPlan,
  notFound,
  planLaunch,
  runInForeground,
  startDetached,
  unknownLauncher,
} from "../../launchers/mod.ts";
import { ConfigError } from "../config.ts";
import { checkProxyPort, type ClientEnvDeps, parseMode } from "./env.ts";

/** What `lumen launch` needs: the env deps, the file check, and the starters (faked in tests). */
export interface LaunchDeps extends ClientEnvDeps {
  isExecutable(path: string): boolean;
  runInForeground?(plan: LaunchPlan): Promise<number>;
  startDetached?(plan: LaunchPlan): number;
}

/** What `lumen launch`'s arguments ask for. */
export interface LaunchOptions {
  id: string;
  mode: LaunchMode | undefined;
  /** Everything after `--`, passed to the client untouched. */
  clientArgs: string[];
}

const SYNTAX = "lumen launch <client> [--mode relay|proxy] [-- client arguments]";

/** Parses `<client> [--mode …] [-- args]`. */
export function parseLaunchArgs(args: string[]): LaunchOptions {
  const dash = args.indexOf("--");
  const own = dash === -1 ? args : args.slice(0, dash);
  const clientArgs = dash === -1 ? [] : args.slice(dash + 1);
  let id: string | undefined;
  let mode: LaunchMode | undefined;
  for (let i = 0; i < own.length; i++) {
    const arg = own[i];
    if (arg === "--mode") mode = parseMode(own[++i]);
    else if (arg.startsWith("--mode=")) mode = parseMode(arg.slice(7));
    else if (arg.startsWith("-") || id !== undefined) {
      throw new ConfigError(
        `Unexpected "${arg}": pass the client's own arguments after --: ${SYNTAX}`,
      );
    } else id = arg;
  }
  if (id === undefined) {
    throw new ConfigError(
      `Name a client: ${SYNTAX}; one of: ${LAUNCHERS.map((l) => l.id).join(", ")}`,
    );
  }
  return { id, mode, clientArgs };
}

/** Runs `lumen launch`; returns the client's exit code (terminal) or 0 once started (GUI). */
export async function runLaunch(args: string[], deps: LaunchDeps): Promise<number> {
  const { id, mode: asked, clientArgs } = parseLaunchArgs(args);
  const launcher = launcherById(id);
  if (!launcher) throw new ConfigError(unknownLauncher(id));
  if (asked !== undefined && launcher.mode !== "either" && asked !== launcher.mode) {
    throw new ConfigError(`${launcher.name} works in ${launcher.mode} mode only`);
  }
  checkProxyPort(deps.paths.proxyPort);
  const found = findProgram(launcher, deps);
  if (found.path === null) throw new ConfigError(notFound(launcher, found, deps.os));
  const mode = asked ?? defaultMode(launcher);
  if (mode === "proxy") await deps.ensureTrustFiles();
  let plan: LaunchPlan;
  try {
    plan = planLaunch(launcher, {
      os: deps.os,
      path: found.path,
      mode,
      paths: deps.paths,
      userArgs: clientArgs,
      inheritedNoProxy: deps.env("NO_PROXY") ?? deps.env("no_proxy"),
      comspec: deps.env("ComSpec"),
    });
  } catch (error) {
    // cmd.exe shims refuse arguments it would reinterpret: the user's to fix.
    if (error instanceof TypeError) throw new ConfigError(error.message);
    throw error;
  }
  const through = `${mode} mode, http://127.0.0.1:${deps.paths.proxyPort}`;
  const cannotStart = (error: unknown): never => {
    // The OS refused (permissions, a broken file) or Deno lacks --allow-run.
    const why = error instanceof Error ? error.message : String(error);
    throw new ConfigError(`Cannot start ${launcher.name} (${found.path}): ${why}`);
  };
  if (launcher.kind === "terminal") {
    console.error(`lumen: starting ${launcher.name} (${found.path}) in ${through}`);
    return await (deps.runInForeground ?? runInForeground)(plan).catch(cannotStart);
  }
  let pid = 0;
  try {
    pid = (deps.startDetached ?? startDetached)(plan);
  } catch (error) {
    cannotStart(error);
  }
  console.log(`Started ${launcher.name} (pid ${pid}) in ${through}`);
  if (mode === "proxy") {
    console.log(
      "If it was already running, quit it and launch again: a running app keeps its old settings. " +
        "It must trust Lumen's CA in the system store (lumen ca trust).",
    );
  }
  return 0;
}
