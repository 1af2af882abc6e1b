// Finds a client's program on this machine from its definition: PATH (with PATHEXT on Windows) and
// the expanded absolute candidates. The environment and the file check are injected, so every OS
// is testable anywhere.
import type { LauncherDefinition, Os } from "./definitions.ts";

/** What finding needs from the machine. */
export interface FindContext {
  os: Os;
  env(name: string): string | undefined;
  /** Whether `path` is a file this user may run. */
  isExecutable(path: string): boolean;
}

/** Where a client is, and everywhere that was tried (for "not found" messages). */
export interface FindResult {
  path: string | null;
  looked: string[];
}

const DEFAULT_PATHEXT = ".COM;.EXE;.BAT;.CMD";
const VARIABLE_REGEXP = /%([A-Za-z_][A-Za-z0-9_()]*)%/g;

/** Looks for `launcher`'s program on `ctx.os`; the first candidate found wins. */
export function findProgram(launcher: LauncherDefinition, ctx: FindContext): FindResult {
  const looked: string[] = [];
  for (const candidate of launcher.os[ctx.os].candidates) {
    if (isBareName(candidate)) {
      looked.push(`${candidate} on PATH`);
      const found = searchPath(candidate, ctx);
      if (found) return { path: found, looked };
      continue;
    }
    const path = expand(candidate, ctx);
    if (path === null) continue; // a variable that is not set: nowhere to look
    looked.push(path);
    if (ctx.isExecutable(path)) return { path, looked };
  }
  return { path: null, looked };
}

/** Whether `path` is a Windows batch file, which only cmd.exe can run. */
export function isBatchFile(path: string): boolean {
  return /\.(cmd|bat)$/i.test(path);
}

/** Deno's check: a regular file with an execute bit (any file on Windows, which has none). */
export function isExecutableFile(path: string): boolean {
  try {
    const info = Deno.statSync(path);
    if (!info.isFile) return false;
    return Deno.build.os === "windows" || ((info.mode ?? 0) & 0o111) !== 0;
  } catch {
    // Missing or unreadable: either way not something to start.
    return false;
  }
}

function isBareName(candidate: string): boolean {
  return !/[\\/~%]/.test(candidate);
}

/**
 * Only absolute PATH entries are searched: an empty or relative one means the current directory,
 * and the daemon must never start a program that happens to sit in whatever directory it runs in.
 */
function searchPath(name: string, ctx: FindContext): string | null {
  const windows = ctx.os === "windows";
  const dirs = (ctx.env("PATH") ?? "").split(windows ? ";" : ":");
  const exts = windows
    ? (ctx.env("PATHEXT") || DEFAULT_PATHEXT).split(";").filter((ext) => ext.startsWith("."))
    : [""];
  // A name that already ends in a PATHEXT extension (Cursor.exe) is tried as it is.
  const hasExt = windows && exts.some((ext) => name.toLowerCase().endsWith(ext.toLowerCase()));
  for (const raw of dirs) {
    const dir = raw.trim().replace(/^"(.*)"$/, "$1").replace(/[\\/]+$/, "");
    if (dir === "" || !isAbsolute(dir, ctx.os)) continue;
    for (const ext of hasExt ? [""] : exts) {
      const path = `${dir}${windows ? "\\" : "/"}${name}${ext.toLowerCase()}`;
      if (ctx.isExecutable(path)) return path;
    }
  }
  return null;
}

/** `~` and `%NAME%` expanded; null when a variable is unset or the result is not absolute. */
function expand(candidate: string, ctx: FindContext): string | null {
  let unset = false;
  let path = candidate.replace(VARIABLE_REGEXP, (_, name: string) => {
    const value = ctx.env(name);
    if (!value) unset = true;
    return value ?? "";
  });
  if (path.startsWith("~")) {
    const home = ctx.os === "windows" ? ctx.env("USERPROFILE") ?? ctx.env("HOME") : ctx.env("HOME");
    if (!home) return null;
    path = home.replace(/[\\/]+$/, "") + path.slice(1);
  }
  return unset || !isAbsolute(path, ctx.os) ? null : path;
}

function isAbsolute(path: string, os: Os): boolean {
  return os === "windows" ? /^([A-Za-z]:[\\/]|\\\\)/.test(path) : path.startsWith("/");
}
