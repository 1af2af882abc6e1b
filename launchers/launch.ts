// Starts a found client with Lumen's variables added to the caller's environment: always an
// argument vector, never a shell string. planLaunch() is pure; the two starters run the plan.
import type { LauncherDefinition, LaunchMode, Os } from "./definitions.ts";
import { envFor, type EnvPaths, mergeNoProxy } from "./env.ts";
import { isBatchFile } from "./find.ts";

/** Exactly what will be run. */
export interface LaunchPlan {
  command: string;
  args: string[];
  /** Set for Windows batch shims: `args` are then cmd.exe's command line, quoted here. */
  windowsRawArguments: boolean;
  /** Lumen's variables only; they are added to (and win over) the inherited environment. */
  env: Record<string, string>;
  kind: "gui" | "terminal";
}

/** What planLaunch() needs besides the definition. */
export interface PlanOptions {
  os: Os;
  /** The program findProgram() found. */
  path: string;
  mode: LaunchMode;
  paths: EnvPaths;
  /** Arguments after `lumen launch <id> --`; the API passes none. */
  userArgs?: string[];
  /** The caller's NO_PROXY, whose entries are kept. */
  inheritedNoProxy?: string;
  /** %ComSpec%, for batch shims. */
  comspec?: string;
}

/**
 * cmd.exe re-reads a batch file's arguments: `& | < > ^` chain or redirect commands, `%` and `!`
 * expand variables, and `"` ends the quoting that protects the rest (the BatBadBut class of bugs).
 * Such arguments are refused rather than escaped: no escaping is right for every shim.
 */
const CMD_UNSAFE_REGEXP = /[&|<>^%"!\r\n\0]/;
/** Characters that split a batch file's arguments unless quoted. */
const CMD_SPLIT_REGEXP = /[\s,;=()]/;

/** The program, arguments and variables that start `launcher` from `options.path`. */
export function planLaunch(launcher: LauncherDefinition, options: PlanOptions): LaunchPlan {
  const env = mergeNoProxy(envFor(launcher, options.mode, options.paths), options.inheritedNoProxy);
  const origin = `http://127.0.0.1:${options.paths.proxyPort}`;
  const fixed = (launcher.os[options.os].args ?? []).map((arg) =>
    arg.replaceAll("{proxy}", origin)
  );
  const args = [...fixed, ...(options.userArgs ?? [])];
  const plan = {
    command: options.path,
    args,
    windowsRawArguments: false,
    env,
    kind: launcher.kind,
  };
  if (options.os !== "windows" || !isBatchFile(options.path)) return plan;
  return {
    ...plan,
    command: options.comspec || "cmd.exe",
    args: cmdCommandLine(options.path, args),
    windowsRawArguments: true,
  };
}

/**
 * cmd.exe's arguments for running `script` with `args`: `/d` skips AutoRun commands, `/s` makes
 * it strip exactly the outer quotes of what follows `/c`, `/v:off` keeps `!` literal.
 */
export function cmdCommandLine(script: string, args: string[]): string[] {
  if (/["%\r\n\0]/.test(script)) {
    throw new TypeError(`Cannot run "${script}" through cmd.exe: its path contains " or %`);
  }
  for (const arg of args) {
    if (CMD_UNSAFE_REGEXP.test(arg)) {
      throw new TypeError(
        `Cannot pass ${JSON.stringify(arg)} to ${script.split("\\").pop()}: it is a batch ` +
          `file, and cmd.exe would reinterpret & | < > ^ % ! " in its arguments; leave them out`,
      );
    }
  }
  const quoted = args.map((arg) => arg === "" || CMD_SPLIT_REGEXP.test(arg) ? `"${arg}"` : arg);
  return ["/d", "/v:off", "/s", "/c", `""${script}"${quoted.map((arg) => ` ${arg}`).join("")}"`];
}

/**
 * Runs a terminal program in the foreground with this terminal and returns its exit code. Ctrl-C
 * reaches the whole foreground process group: Lumen ignores it meanwhile, so it is the client's to
 * handle (Claude Code uses it to interrupt), and Lumen exits only after the client has.
 */
export async function runInForeground(plan: LaunchPlan): Promise<number> {
  const child = new Deno.Command(plan.command, {
    args: plan.args,
    env: plan.env,
    windowsRawArguments: plan.windowsRawArguments,
    stdin: "inherit",
    stdout: "inherit",
    stderr: "inherit",
  }).spawn();
  const ignore = () => {};
  const forward = () => {
    try {
      child.kill("SIGTERM");
    } catch {
      // It exited between the signal and now: nothing left to stop.
    }
  };
  const windows = Deno.build.os === "windows";
  Deno.addSignalListener("SIGINT", ignore);
  if (!windows) Deno.addSignalListener("SIGTERM", forward);
  try {
    return (await child.status).code;
  } finally {
    Deno.removeSignalListener("SIGINT", ignore);
    if (!windows) Deno.removeSignalListener("SIGTERM", forward);
  }
}

/** Starts a GUI app detached from Lumen, with no stdio, and returns its pid. */
export function startDetached(plan: LaunchPlan): number {
  const child = new Deno.Command(plan.command, {
    args: plan.args,
    env: plan.env,
    windowsRawArguments: plan.windowsRawArguments,
    stdin: "null",
    stdout: "null",
    stderr: "null",
    detached: true,
  }).spawn();
  // Neither Lumen's exit nor its event loop waits for the app; its exit status is not collected.
  child.unref();
  return child.pid;
}
