// The CLI's way to a running daemon. node:http, because Deno's fetch would honour HTTP(S)_PROXY.
import http from "node:http";
import { ConfigError } from "../config.ts";

/** How a user starts the daemon from a checkout, on a machine with only Node and npm. */
export const START_COMMAND = "npx -y deno@2.9.6 task start";

const TIMEOUT_MS = 10_000;

/** Nothing listens on the API port; `lumen status` and `lumen lap` print the message and exit 1. */
export class NotRunningError extends ConfigError {
  override name = "NotRunningError";
  constructor(port: number) {
    super(
      `Lumen is not running (nothing answers on 127.0.0.1:${port}). Start it with: ${START_COMMAND}`,
    );
  }
}

/** Calls the local API and returns its JSON; a stopped daemon or an API error becomes ConfigError. */
export function callApi(
  port: number,
  method: string,
  path: string,
  body?: unknown,
  // deno-lint-ignore no-explicit-any
): Promise<any> {
  if (port === 0) {
    // The daemon takes any free port then, and the CLI has no way to learn which.
    return Promise.reject(
      new ConfigError(
        "LUMEN_API_PORT is 0, so the CLI cannot find the daemon: set it to the API port the daemon printed",
      ),
    );
  }
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: "127.0.0.1",
      port,
      method,
      path,
      headers: payload === undefined ? {} : { "content-type": "application/json" },
    }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => text += chunk);
      res.on("end", () => {
        let parsed;
        try {
          parsed = JSON.parse(text);
        } catch {
          return reject(new ConfigError(`Lumen API on port ${port} answered with non-JSON`));
        }
        if ((res.statusCode ?? 500) >= 400) {
          return reject(new ConfigError(`Lumen API: ${parsed?.error?.message ?? res.statusCode}`));
        }
        resolve(parsed);
      });
    });
    // Something that accepts the connection and never answers must not hang the CLI.
    req.setTimeout(TIMEOUT_MS, () => {
      req.destroy(
        new ConfigError(
          `Lumen API on 127.0.0.1:${port} did not answer within ${TIMEOUT_MS / 1000} s`,
        ),
      );
    });
    req.on("error", (error: NodeJS.ErrnoException) => {
      if (error instanceof ConfigError) return reject(error);
      if (error.code === "ECONNREFUSED") return reject(new NotRunningError(port));
      reject(new ConfigError(`Cannot reach Lumen on 127.0.0.1:${port}: ${error.message}`));
    });
    req.end(payload);
  });
}
