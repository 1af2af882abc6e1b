// `/api/settings`: read and change the user's settings.
import { ApiError } from "./errors.ts";
import { saving } from "./hosts.ts";

/** The settings store as the API sees it (main.ts injects ConfigFile). */
export interface SettingsService {
  /** Every setting. */
  readonly settings: object;
  /** Checks each key, saves, and returns every setting; rejects only when saving failed. */
  updateSettings(
    patch: Record<string, unknown>,
  ): Promise<{ ok: true; settings: object } | { ok: false; reason: string }>;
}

/** `PUT /api/settings` with some settings: answers every setting after the change. */
export async function updateSettings(
  service: SettingsService,
  body: Record<string, unknown> | null,
): Promise<unknown> {
  if (!body) throw new ApiError(400, "bad_request", "Body must be a JSON object of settings");
  const result = await saving(service.updateSettings(body));
  if (!result.ok) throw new ApiError(400, "invalid_setting", result.reason);
  return { settings: result.settings };
}
