// The trust check's outside: runs `lumen ca handshake <port>` as a child of the same executable,
// started with DENO_TLS_CA_STORE=system. Deno validates TLS against its bundled Mozilla roots
// unless that variable is set when the process builds its root store, which this daemon or CLI
// already did; a short-lived child is the one way to ask the system store. The hidden
// subcommand (rather than a separate script) keeps this working in a `deno compile`d binary,
// where Deno.execPath() is lumen itself and no module file exists on disk (see selfCommand()).
import type { HandshakeResult } from "./handshake.ts";

/** The check's overall bound, process start-up included. */
export const CHECK_TIMEOUT_MS = 10_000;

/** Options of checkTrust(). */
export interface CheckTrustOptions {
  /** The running proxy's port. */
  proxyPort: number;
  /** How to start this program again: selfCommand()'s answer. */
  self: string[];
  timeoutMs?: number;
  /** Aborting it ends the check at once (the daemon shutting down). */
  signal?: AbortSignal;
}

/** Whether the system trust store accepts the leaf Lumen's proxy serves; never throws. */
export async function checkTrust(options: CheckTrustOptions): Promise<HandshakeResult> {
  const timeoutMs = options.timeoutMs ?? CHECK_TIMEOUT_MS;
  const stop = new AbortController();
  const timer = setTimeout(() => stop.abort(), timeoutMs);
  const onAbort = () => stop.abort();
  options.signal?.addEventListener("abort", onAbort);
  const [program, ...prefix] = options.self;
  try {
    if (options.signal?.aborted) return unknown("The trust check was cancelled");
    const output = await new Deno.Command(program, {
      args: [...prefix, "ca", "handshake", String(options.proxyPort)],
      env: CHILD_ENV,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      signal: stop.signal,
    }).output();
    if (stop.signal.aborted) {
      return unknown(
        options.signal?.aborted
          ? "The trust check was cancelled"
          : `The trust check did not finish within ${timeoutMs / 1000} s`,
      );
    }
    return parseResult(output);
  } catch (error) {
    const hint = error instanceof Deno.errors.NotCapable
      ? ": Lumen needs --allow-run to check trust (the start and lumen tasks grant it)"
      : "";
    return unknown(`Cannot start the trust check (${messageOf(error)})${hint}`);
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener("abort", onAbort);
  }
}

/**
 * Added to the inherited environment (read by nobody here, so `--allow-env` stays a short list):
 * the system store selected, and DENO_CERT pointed at an empty file, since a CA it named would be
 * added to the system store's (an empty value is opened as a file and fails the handshake).
 * SSL_CERT_FILE and SSL_CERT_DIR pass through, since on Linux they are part of how the system
 * store is found (rustls-native-certs honours them).
 */
const CHILD_ENV = {
  DENO_CERT: Deno.build.os === "windows" ? "NUL" : "/dev/null",
  DENO_TLS_CA_STORE: "system",
};

function parseResult(output: Deno.CommandOutput): HandshakeResult {
  const lines = new TextDecoder().decode(output.stdout).trim().split("\n");
  try {
    const result = JSON.parse(lines[lines.length - 1]);
    const trustedOk = result.trusted === null || typeof result.trusted === "boolean";
    const errorOk = result.error === null || typeof result.error === "string";
    if (output.code === 0 && trustedOk && errorOk) {
      return { trusted: result.trusted, error: result.error };
    }
  } catch {
    // Not a result line: reported below with what the child said on stderr.
  }
  const stderr = new TextDecoder().decode(output.stderr).trim().split("\n").pop() ||
    "it printed no result";
  return unknown(`The trust check failed (exit code ${output.code}): ${stderr}`);
}

function unknown(error: string): HandshakeResult {
  return { trusted: null, error };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
