// File helpers for what Lumen keeps in LUMEN_HOME (the CA, config.json): existence checks and
// crash-safe, permission-safe writes.
import { messageOf } from "./config.ts";

/** Whether `path` exists; other errors (permissions, I/O) are thrown. */
export async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

/** The text of `path`, or null when there is no such file; other errors are thrown. */
export function readTextIfExists(path: string): string | null {
  try {
    return Deno.readTextFileSync(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw error;
  }
}

/**
 * Reads `path` as JSON and hands it to `parse`: null when there is no such file; otherwise an
 * Error whose message names the file and says whether reading or using it failed.
 */
export function readJsonIfExists<T>(path: string, parse: (json: unknown) => T): T | null {
  let text: string | null;
  try {
    text = readTextIfExists(path);
  } catch (error) {
    throw new Error(`Cannot read ${path}: ${messageOf(error)}`);
  }
  if (text === null) return null;
  try {
    return parse(JSON.parse(text));
  } catch (error) {
    throw new Error(`Cannot use ${path}: ${messageOf(error)}`);
  }
}

/**
 * Writes `text` to `path` through a temp file in the same directory, created with `mode`, so the
 * file never exists with wider permissions and no reader ever sees part of it.
 */
export async function writeAtomically(path: string, text: string, mode: number): Promise<void> {
  const temp = `${path}.${crypto.randomUUID()}.tmp`;
  try {
    await Deno.writeTextFile(temp, text, { createNew: true, mode });
    await syncFile(temp);
    await Deno.rename(temp, path);
  } catch (error) {
    await Deno.remove(temp).catch(() => {
      // Never created: nothing to clean up, and the first error is the one worth reporting.
    });
    throw error;
  }
}

// Flushed before the rename: otherwise a power cut could leave an empty file under the final name.
// The handle is closed before the rename because Windows cannot rename an open file.
async function syncFile(path: string): Promise<void> {
  using file = await Deno.open(path, { write: true });
  await file.syncData();
}
