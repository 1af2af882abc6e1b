// `/api/debug/*`: arm, disarm and read the opt-in debug capture (memory only, auto-disarming).
import { ApiError } from "./errors.ts";

/** Whether the capture is armed, and until when (epoch ms). */
export interface DebugStatus {
  armed: boolean;
  expires_at: number | null;
}

/**
 * The debug capture as the API sees it (main.ts injects capture/debug_capture.ts `DebugCapture`).
 * Captures are passed through as that module builds them, credentials already redacted.
 */
export interface DebugService {
  /** Arms for `minutes` (the service's default when undefined); RangeError for a bad duration. */
  arm(minutes?: number): DebugStatus;
  /** Disarms and forgets every capture. */
  disarm(): DebugStatus;
  /** The status and the captures, newest first. */
  list(): DebugStatus & { captures: readonly object[] };
}

/** `POST /api/debug/arm {minutes?}`: answers the new status. */
export function armDebug(service: DebugService, body: Record<string, unknown> | null): DebugStatus {
  for (const key of Object.keys(body ?? {})) {
    if (key !== "minutes") throw new ApiError(400, "bad_request", `Unknown field "${key}"`);
  }
  const minutes = body?.minutes;
  if (minutes !== undefined && (typeof minutes !== "number" || !Number.isFinite(minutes))) {
    throw new ApiError(400, "bad_request", "minutes must be a number");
  }
  try {
    return service.arm(minutes);
  } catch (error) {
    if (error instanceof RangeError) throw new ApiError(400, "bad_request", error.message);
    throw error;
  }
}
