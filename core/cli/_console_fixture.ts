// Test support: what a CLI command printed with console.log.

/** Runs `fn` with console.log captured and returns what it printed, one line per call. */
export async function captureLog(fn: () => Promise<unknown>): Promise<string> {
  const original = console.log;
  let printed = "";
  console.log = (...parts: unknown[]) => printed += `${parts.join(" ")}\n`;
  try {
    await fn();
  } finally {
    console.log = original;
  }
  return printed;
}
