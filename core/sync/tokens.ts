// LUMEN_HOME/sync.json: the team sync connection (server, client, tokens). Mode 0600, written
// atomically; its tokens never leave this file and memory (not in logs, not in API answers).
import type * as oauth from "oauth4webapi";
import { readJsonIfExists, writeAtomically } from "../files.ts";

/** The saved connection. */
export interface SyncRecord {
  version: 1;
  /** The team sync server's base URL. */
  server: string;
  /** The authorization server's metadata, kept so refresh and revocation work offline of it. */
  as: oauth.AuthorizationServer;
  /** The registered client (id, and a secret only when the server demanded one). */
  client: oauth.Client;
  /** The redirect URI the client was registered with (it names the API port). */
  redirect_uri: string;
  /** "reconnect_needed": the grant was refused; the tokens are gone and the user must connect. */
  state: "connected" | "reconnect_needed";
  access_token: string | null;
  refresh_token: string | null;
  /** Epoch ms the access token expires; null when the server did not say. */
  expires_at: number | null;
  /** Epoch ms the access token was obtained. */
  obtained_at: number;
  /** Who the user signed in as (email, username or subject), when the server told. */
  account: string | null;
}

/** The path of sync.json in `home`. */
export function syncRecordPath(home: string): string {
  return `${home}/sync.json`;
}

/** The saved connection, or null when there is none; throws naming the file when it is unusable. */
export function readSyncRecord(home: string): SyncRecord | null {
  return readJsonIfExists(syncRecordPath(home), (json) => {
    const record = json as Partial<SyncRecord> | null;
    if (
      !record || record.version !== 1 || typeof record.server !== "string" ||
      typeof record.as?.issuer !== "string" || typeof record.client?.client_id !== "string" ||
      (record.state !== "connected" && record.state !== "reconnect_needed")
    ) {
      throw new TypeError("not a sync connection Lumen wrote");
    }
    return record as SyncRecord;
  });
}

/** Saves `record` (0600, atomically: a crash leaves the old file or the new one, never half). */
export async function writeSyncRecord(home: string, record: SyncRecord): Promise<void> {
  const path = syncRecordPath(home);
  await writeAtomically(path, `${JSON.stringify(record, null, 2)}\n`, 0o600);
  // The temp file was created 0600, but the process umask can only narrow it; make sure anyway.
  if (Deno.build.os !== "windows") await Deno.chmod(path, 0o600);
}

/** Deletes sync.json; no file is not an error. */
export async function deleteSyncRecord(home: string): Promise<void> {
  await Deno.remove(syncRecordPath(home)).catch((error) => {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  });
}
