// curl as a test client: the exact response bytes it wrote, its status and headers.
import assert from "node:assert/strict";

/** Runs curl and returns the response headers and the exact body bytes it wrote. */
export async function curl(
  url: string,
  options: {
    headers?: Record<string, string>;
    body?: string;
    method?: string;
    /** More curl arguments, e.g. `["--proxy", origin, "--cacert", file]`. */
    args?: string[];
  } = {},
): Promise<{ status: number; headers: Record<string, string>; body: Uint8Array }> {
  const dir = await Deno.makeTempDir({ prefix: "lumen-curl-" });
  try {
    const args = ["-sS", "--no-buffer", "-X", options.method ?? "POST", url, "-D", `${dir}/h`];
    args.push("-o", `${dir}/b`, "--max-time", "30", ...(options.args ?? []));
    for (const [k, v] of Object.entries(options.headers ?? {})) args.push("-H", `${k}: ${v}`);
    if (options.body !== undefined) args.push("--data-binary", options.body);
    const out = await new Deno.Command("curl", { args, stdin: "null" }).output();
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    // Through a proxy the file starts with the CONNECT answer; the response's head comes last.
    const heads = (await Deno.readTextFile(`${dir}/h`)).trim().split(/\r?\n\r?\n/);
    const [statusLine, ...lines] = heads[heads.length - 1].split(/\r?\n/);
    const headers: Record<string, string> = {};
    for (const line of lines) {
      const at = line.indexOf(":");
      headers[line.slice(0, at).toLowerCase()] = line.slice(at + 1).trim();
    }
    return {
      status: Number(statusLine.split(" ")[1]),
      headers,
      body: await Deno.readFile(`${dir}/b`),
    };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
