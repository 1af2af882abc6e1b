// How Lumen starts itself again for the trust check's hidden `ca handshake` subcommand.
import { fileURLToPath } from "node:url";

/**
 * The argument vector that runs this program's CLI (`main` is main.ts's import.meta.url): the
 * executable alone for a `deno compile`d binary, whose permissions are built in; otherwise
 * `deno run` on `main` with what the handshake needs (loopback network, and the environment and
 * files main.ts reads for its configuration) and the project's deno.json for its imports.
 */
export function selfCommand(main: string): string[] {
  if (Deno.build.standalone) return [Deno.execPath()];
  const args = [
    Deno.execPath(),
    "run",
    "--quiet",
    "--no-prompt",
    "--allow-net=127.0.0.1",
    "--allow-env",
    "--allow-read",
  ];
  const config = findConfig(main);
  if (config) args.push("--config", config);
  const url = new URL(main);
  args.push(url.protocol === "file:" ? fileURLToPath(url) : main);
  return args;
}

/** deno.json in `main`'s folder or the nearest above it, as Deno itself would find it. */
function findConfig(main: string): string | null {
  const url = new URL(main);
  if (url.protocol !== "file:") return null;
  for (let dir = new URL(".", url);; dir = new URL("..", dir)) {
    const candidate = new URL("deno.json", dir);
    try {
      if (Deno.statSync(candidate).isFile) return fileURLToPath(candidate);
    } catch {
      // Not here (or unreadable): keep looking upwards.
    }
    if (new URL("..", dir).href === dir.href) return null;
  }
}
