// The CLI's way to a running daemon. node:http, because Deno's fetch would honour HTTP(S)_PROXY.
import http from "node:http";
import { ConfigError } from "../config.ts";

/** Calls the local API and returns its JSON; a stopped daemon or an API error becomes ConfigError. */
export function callApi(
  port: number,
  method: string,
  path: string,
  body?: unknown,
  // deno-lint-ignore no-explicit-any
): Promise<any> {
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
    req.on("error", (error) => {
      reject(
        new ConfigError(
          `Cannot reach Lumen on 127.0.0.1:${port} (${error.message}); start it with "deno task start"`,
        ),
      );
    });
    req.end(payload);
  });
}
