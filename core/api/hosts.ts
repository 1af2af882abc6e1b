// `/api/hosts`: list, add and remove the hosts Lumen reads usage from.
import type { HostEntry } from "../types.ts";
import { ApiError, json } from "./errors.ts";

/** The host registry as the API sees it (main.ts injects HostRegistry). */
export interface HostsService {
  list(): HostEntry[];
  /** Validates and saves a custom host; rejects only when saving failed (nothing changed then). */
  add(
    host: string,
  ): Promise<{ ok: true; entry: HostEntry; created: boolean } | { ok: false; reason: string }>;
  /** Removes a custom host; rejects only when saving failed (nothing changed then). */
  remove(host: string): Promise<"removed" | "not_found" | "built_in">;
}

/** `POST /api/hosts {host}`: 201 when added, 200 when it already was (adding is idempotent). */
export async function addHost(
  hosts: HostsService,
  body: Record<string, unknown> | null,
): Promise<Response> {
  if (typeof body?.host !== "string") {
    throw new ApiError(400, "bad_request", 'Body must be {"host": "<host name>"}');
  }
  const result = await saving(hosts.add(body.host));
  if (!result.ok) throw new ApiError(400, "invalid_host", result.reason);
  return json({ host: result.entry }, result.created ? 201 : 200);
}

/** `DELETE /api/hosts/:host`. */
export async function removeHost(hosts: HostsService, host: string): Promise<unknown> {
  const result = await saving(hosts.remove(host));
  if (result === "built_in") {
    throw new ApiError(400, "built_in_host", "Built-in hosts cannot be removed");
  }
  if (result === "not_found") {
    throw new ApiError(404, "not_found", `"${host}" is not a custom host`);
  }
  return { removed: host };
}

/** Answers a failed save with 500 `config_write_failed`; the service changed nothing then. */
export async function saving<T>(change: Promise<T>): Promise<T> {
  try {
    return await change;
  } catch (error) {
    throw new ApiError(
      500,
      "config_write_failed",
      error instanceof Error ? error.message : String(error),
    );
  }
}
