// Test support: a child process whose stdout and stderr are read as they come, so a test can wait
// for a line and show everything the process printed when something goes wrong.

/** A running child and what it printed so far. */
export interface Spawned {
  child: Deno.ChildProcess;
  /** stdout and stderr so far, interleaved as they arrived. */
  output(): string;
  /** Resolves once both streams have ended (after the process exits). */
  drained: Promise<unknown>;
}

/** Starts `command` with piped output (stdin closed) and collects both streams. */
export function spawnCollecting(command: string, options: Deno.CommandOptions): Spawned {
  const child = new Deno.Command(command, {
    ...options,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let output = "";
  const decoder = new TextDecoder();
  const drain = async (stream: ReadableStream<Uint8Array>) => {
    for await (const chunk of stream) output += decoder.decode(chunk, { stream: true });
  };
  return {
    child,
    output: () => output,
    drained: Promise.all([drain(child.stdout), drain(child.stderr)]),
  };
}
