// `/api/launchers` (clients Lumen can start), `POST /api/launchers/:id/launch` and `/api/env`.
// The ids, programs and variables are the service's (launchers/, injected by main.ts): a caller
// names an id and at most a mode, never a command or an argument.
import { ApiError, json } from "./errors.ts";
import type { EnvLines, LauncherInfo } from "./types.ts";

type Mode = EnvLines["mode"];
type Shell = EnvLines["shell"];

/** The launchers as the API sees them. */
export interface LaunchersService {
  list(): LauncherInfo[];
  /** Starts an installed GUI app; throws only when the OS refused to start it. */
  launch(
    id: string,
    mode?: Mode,
  ):
    | { ok: true; pid: number }
    | { ok: false; code: "not_found" | "bad_request" | "not_launchable"; message: string };
  /** The text `lumen env --mode <mode> --shell <shell>` prints. */
  env(mode: Mode, shell: Shell): string;
}

const MODES: readonly string[] = ["relay", "proxy"];
const SHELLS: readonly string[] = ["bash", "zsh", "fish", "powershell"];
const STATUS = { not_found: 404, bad_request: 400, not_launchable: 409 } as const;

/** `GET /api/launchers`. */
export function listLaunchers(service: LaunchersService): { launchers: LauncherInfo[] } {
  return { launchers: service.list() };
}

/** `POST /api/launchers/:id/launch` with `{}` or `{"mode": "relay"|"proxy"}`: 202 when started. */
export function launchClient(
  service: LaunchersService,
  id: string,
  body: Record<string, unknown> | null,
): Response {
  const fields = Object.keys(body ?? {});
  const extra = fields.filter((field) => field !== "mode");
  if (extra.length > 0) {
    throw new ApiError(
      400,
      "bad_request",
      `Unknown field ${
        extra.map((f) => `"${f}"`).join(", ")
      }: the body is {} or {"mode": "relay"|"proxy"}`,
    );
  }
  const mode = body?.mode;
  if (mode !== undefined && (typeof mode !== "string" || !MODES.includes(mode))) {
    throw new ApiError(400, "bad_request", 'mode must be "relay" or "proxy"');
  }
  let outcome: ReturnType<LaunchersService["launch"]>;
  try {
    outcome = service.launch(id, mode as Mode | undefined);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new ApiError(500, "launch_failed", `Cannot start ${id}: ${why}`);
  }
  if (!outcome.ok) throw new ApiError(STATUS[outcome.code], outcome.code, outcome.message);
  return json({ launched: id, pid: outcome.pid }, 202);
}

/** `GET /api/env?mode=relay|proxy&shell=bash|zsh|fish|powershell` (defaults: proxy, bash). */
export function getEnv(service: LaunchersService, url: URL): EnvLines {
  for (const name of url.searchParams.keys()) {
    if (name !== "mode" && name !== "shell") {
      throw new ApiError(400, "bad_request", `Unknown parameter "${name}": use mode and shell`);
    }
  }
  const mode = url.searchParams.get("mode") ?? "proxy";
  const shell = url.searchParams.get("shell") ?? "bash";
  if (!MODES.includes(mode)) {
    throw new ApiError(400, "bad_request", 'mode must be "relay" or "proxy"');
  }
  if (!SHELLS.includes(shell)) {
    throw new ApiError(400, "bad_request", `shell must be one of ${SHELLS.join(", ")}`);
  }
  return {
    mode: mode as Mode,
    shell: shell as Shell,
    lines: service.env(mode as Mode, shell as Shell),
  };
}
