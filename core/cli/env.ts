// `lumen env [--shell bash|zsh|fish|powershell] [--mode relay|proxy]`: prints the lines that send a
// shell's clients through Lumen, for `eval "$(lumen env)"`. The same text as `GET /api/env`.
import {
  defaultShell,
  envLines,
  type EnvPaths,
  isShell,
  type LaunchMode,
  type Os,
  type Shell,
  SHELLS,
} from "../../launchers/mod.ts";
import { ConfigError } from "../config.ts";

/** What `lumen env` and `lumen launch` need from main.ts. */
export interface ClientEnvDeps {
  os: Os;
  env(name: string): string | undefined;
  paths: EnvPaths;
  /** Creates ca.pem if needed and brings ca-bundle.pem up to date (proxy mode points at both). */
  ensureTrustFiles(): Promise<void>;
}

/** What `lumen env`'s arguments ask for. */
export interface EnvOptions {
  shell: Shell;
  mode: LaunchMode;
}

/** Parses `[--shell …] [--mode …]` (also `--shell=fish`); the shell defaults to the user's. */
export function parseEnvArgs(args: string[], fallbackShell: Shell): EnvOptions {
  const options: EnvOptions = { shell: fallbackShell, mode: "proxy" };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const eq = arg.indexOf("=");
    const flag = eq === -1 ? arg : arg.slice(0, eq);
    const value = () => eq === -1 ? args[++i] : arg.slice(eq + 1);
    if (flag === "--shell") {
      const shell = value();
      if (shell === undefined || !isShell(shell)) {
        throw new ConfigError(`--shell takes one of ${SHELLS.join(", ")}`);
      }
      options.shell = shell;
    } else if (flag === "--mode") {
      options.mode = parseMode(value());
    } else {
      throw new ConfigError(
        `Unknown argument "${arg}": lumen env [--shell bash|zsh|fish|powershell] [--mode relay|proxy]`,
      );
    }
  }
  return options;
}

/** `relay` or `proxy`, else a ConfigError. */
export function parseMode(value: string | undefined): LaunchMode {
  if (value === "relay" || value === "proxy") return value;
  throw new ConfigError("--mode takes relay or proxy");
}

/** Runs `lumen env`; returns the exit code. */
export async function runEnv(args: string[], deps: ClientEnvDeps): Promise<number> {
  const { shell, mode } = parseEnvArgs(args, defaultShell(deps.os, deps.env("SHELL")));
  checkProxyPort(deps.paths.proxyPort);
  if (mode === "proxy") await deps.ensureTrustFiles();
  // console.log adds the last line's newline back.
  console.log(envLines(mode, shell, deps.paths).replace(/\n$/, ""));
  return 0;
}

/** Port 0 lets the daemon pick any port, which the CLI cannot know: clients need the real one. */
export function checkProxyPort(port: number): void {
  if (port === 0) {
    throw new ConfigError(
      "LUMEN_PROXY_PORT is 0, so there is no port to point clients at: " +
        "set it to the proxy port the daemon printed",
    );
  }
}
