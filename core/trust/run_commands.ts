// Runs a trust plan's commands: argument vectors, never a shell string, with the user's terminal
// attached (macOS and Windows may ask for confirmation; the tools explain their own failures).

/** How runCommands() ended: every command succeeded, or which one failed and why. */
export type RunResult = { ok: true } | { ok: false; failed: string[]; message: string };

/** Runs `commands` in order and stops at the first that fails or cannot start. */
export async function runCommands(commands: string[][]): Promise<RunResult> {
  for (const argv of commands) {
    const [program, ...args] = argv;
    let code: number;
    try {
      const child = new Deno.Command(program, {
        args,
        stdin: "inherit",
        stdout: "inherit",
        stderr: "inherit",
      }).spawn();
      code = (await child.status).code;
    } catch (error) {
      const why = error instanceof Deno.errors.NotFound
        ? `"${program}" is not installed or not on PATH`
        : error instanceof Error
        ? error.message
        : String(error);
      return { ok: false, failed: argv, message: `Cannot run ${program}: ${why}` };
    }
    if (code !== 0) {
      return { ok: false, failed: argv, message: `${program} failed with exit code ${code}` };
    }
  }
  return { ok: true };
}
