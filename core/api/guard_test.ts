import assert from "node:assert/strict";
import { ApiError } from "./errors.ts";
import { guardRequest } from "./guard.ts";

const PORT = 9091;

/** A request whose headers are exactly `headers` (a string body would add a text/plain type). */
function request(method: string, headers: Record<string, string>, body?: string): Request {
  const bytes = body === undefined ? undefined : new TextEncoder().encode(body);
  return new Request(`http://127.0.0.1:${PORT}/api/laps`, { method, headers, body: bytes });
}

/** The error code guardRequest() refuses with, or null when it lets the request through. */
function refusal(req: Request, port = PORT): string | null {
  try {
    guardRequest(req, port);
    return null;
  } catch (error) {
    assert.ok(error instanceof ApiError);
    assert.equal(error.status, 403);
    return error.code;
  }
}

Deno.test("guardRequest() lets through a loopback name with the API port, in any case", () => {
  for (const host of ["127.0.0.1:9091", "localhost:9091", "[::1]:9091", "LOCALHOST:9091"]) {
    for (const method of ["GET", "HEAD", "POST"]) {
      assert.equal(refusal(request(method, { host })), null, `${method} ${host}`);
    }
  }
  // A browser leaves the port out of Host for port 80.
  assert.equal(refusal(request("GET", { host: "localhost" }), 80), null);
});

Deno.test("guardRequest() refuses every other Host (DNS rebinding)", () => {
  const hosts = [
    "evil.com",
    "evil.com:9091",
    "127.0.0.1:9092",
    "127.0.0.1",
    "localhost",
    "[::1]",
    "localhost.evil.com:9091",
    "localhost:9091.evil.com",
    "evil.localhost:9091",
    "127.0.0.1.nip.io:9091",
    "0.0.0.0:9091",
    "127.1:9091",
    "192.168.1.5:9091",
    "localhost.:9091",
    "127.0.0.1:9091, evil.com", // two Host headers, as Headers joins them
    "",
  ];
  for (const method of ["GET", "POST", "OPTIONS"]) {
    for (const host of hosts) {
      assert.equal(refusal(request(method, { host })), "forbidden_host", `${method} ${host}`);
    }
    assert.equal(refusal(request(method, {})), "forbidden_host", `${method} without Host`);
  }
});

Deno.test("guardRequest() lets a state change through from the API's own pages or a CLI", () => {
  const host = `127.0.0.1:${PORT}`;
  const json = { host, "content-type": "application/json; charset=utf-8" };
  for (const name of ["127.0.0.1", "localhost", "[::1]"]) {
    const origin = `http://${name}:${PORT}`;
    assert.equal(refusal(request("POST", { ...json, origin }, "{}")), null, origin);
  }
  assert.equal(refusal(request("POST", { ...json, "sec-fetch-site": "same-origin" }, "{}")), null);
  assert.equal(refusal(request("PUT", { ...json, "content-length": "2" }, "{}")), null);
  assert.equal(refusal(request("DELETE", { host })), null, "no body needs no type");
  assert.equal(refusal(request("POST", { host, "content-length": "0" })), null);
});

Deno.test("guardRequest() refuses foreign origins, cross-site fetches and non-JSON bodies", () => {
  const host = `127.0.0.1:${PORT}`;
  const json = { host, "content-type": "application/json" };
  const cases: [Record<string, string>, string][] = [
    [{ ...json, origin: "https://evil.example" }, "forbidden_origin"],
    [{ ...json, origin: "null" }, "forbidden_origin"],
    [{ ...json, origin: `https://127.0.0.1:${PORT}` }, "forbidden_origin"],
    [{ ...json, origin: `http://127.0.0.1:${PORT + 1}` }, "forbidden_origin"],
    [{ ...json, origin: `http://localhost:${PORT}.evil.example` }, "forbidden_origin"],
    [{ ...json, origin: "http://localhost" }, "forbidden_origin"],
    [{ ...json, "sec-fetch-site": "cross-site" }, "forbidden_origin"],
    [{ ...json, "sec-fetch-site": "same-site" }, "forbidden_origin"],
    [{ host, "content-type": "text/plain" }, "forbidden_content_type"],
    [{ host, "content-type": "application/x-www-form-urlencoded" }, "forbidden_content_type"],
    [{ host, "content-type": "multipart/form-data; boundary=x" }, "forbidden_content_type"],
    [{ host, "content-type": "application/jsonx" }, "forbidden_content_type"],
    [{ host, "content-type": "text/plain; x=application/json" }, "forbidden_content_type"],
    [{ host, "content-length": "2" }, "forbidden_content_type"],
    [{ host, "transfer-encoding": "chunked" }, "forbidden_content_type"],
  ];
  for (const method of ["POST", "PUT", "DELETE", "PATCH", "OPTIONS"]) {
    for (const [headers, code] of cases) {
      const body = method === "OPTIONS" ? undefined : "{}";
      assert.equal(
        refusal(request(method, headers, body)),
        code,
        `${method} ${JSON.stringify(headers)}`,
      );
    }
  }
});
