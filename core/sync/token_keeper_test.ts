import assert from "node:assert/strict";
import { TokenKeeper } from "./token_keeper.ts";
import { readSyncRecord, type SyncRecord, writeSyncRecord } from "./tokens.ts";

/** A token endpoint that rotates refresh tokens, or refuses them all with invalid_grant. */
function startTokenEndpoint(options: { refuse?: boolean } = {}) {
  const seen: string[] = [];
  let release: () => void = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const form = new URLSearchParams(await req.text());
    seen.push(form.get("refresh_token") ?? "");
    await held; // every caller has asked before the answer comes
    if (options.refuse) {
      return Response.json({ error: "invalid_grant", error_description: "grant revoked" }, {
        status: 400,
      });
    }
    const n = seen.length;
    return Response.json({
      access_token: `at-${n}`,
      refresh_token: `rt-${n}`,
      token_type: "Bearer",
      expires_in: 3600,
    });
  });
  return { seen, release, server, origin: `http://127.0.0.1:${server.addr.port}` };
}

function recordFor(origin: string, now: number): SyncRecord {
  return {
    version: 1,
    server: "http://127.0.0.1:1/sync",
    as: { issuer: origin, token_endpoint: `${origin}/token` },
    client: { client_id: "lumen", token_endpoint_auth_method: "none" },
    redirect_uri: "http://127.0.0.1:9091/api/sync/callback",
    state: "connected",
    access_token: "at-0",
    refresh_token: "rt-0",
    expires_at: now + 5_000, // inside the refresh margin: expiring
    obtained_at: now - 3_595_000,
    account: "a@b.test",
  };
}

async function keeperWith(origin: string) {
  const home = await Deno.makeTempDir({ prefix: "lumen-sync-test-" });
  const now = Date.now();
  await writeSyncRecord(home, recordFor(origin, now));
  const errors: string[] = [];
  const keeper = new TokenKeeper({ home, now: () => now, onError: (m) => errors.push(m) });
  keeper.load();
  return {
    home,
    keeper,
    errors,
    async [Symbol.asyncDispose]() {
      keeper.close();
      await Deno.remove(home, { recursive: true });
    },
  };
}

Deno.test("TokenKeeper.accessToken() refreshes once for concurrent callers and saves the rotation", async () => {
  const endpoint = startTokenEndpoint();
  await using fx = await keeperWith(endpoint.origin);
  const calls = Array.from({ length: 5 }, () => fx.keeper.accessToken());
  await new Promise((resolve) => setTimeout(resolve, 50));
  endpoint.release();
  assert.deepEqual(await Promise.all(calls), Array(5).fill("at-1"));
  assert.deepEqual(endpoint.seen, ["rt-0"]);
  const saved = readSyncRecord(fx.home)!;
  assert.equal(saved.refresh_token, "rt-1");
  assert.equal(saved.access_token, "at-1");
  // Someone else's stale rejection does not refresh again.
  await fx.keeper.rejected("at-0");
  assert.equal(endpoint.seen.length, 1);
  await endpoint.server.shutdown();
});

Deno.test("TokenKeeper: invalid_grant means reconnect needed, with the tokens dropped", async () => {
  const endpoint = startTokenEndpoint({ refuse: true });
  endpoint.release();
  await using fx = await keeperWith(endpoint.origin);
  assert.equal(await fx.keeper.accessToken(), null);
  assert.equal(fx.keeper.record?.state, "reconnect_needed");
  assert.equal(fx.keeper.server(), null);
  const saved = readSyncRecord(fx.home)!;
  assert.equal(saved.state, "reconnect_needed");
  assert.equal(saved.access_token, null);
  assert.equal(saved.refresh_token, null);
  assert.match(fx.errors.join("\n"), /reconnect/);
  assert.ok(!fx.errors.join("\n").includes("rt-0"));
  assert.equal(await fx.keeper.accessToken(), null);
  assert.equal(endpoint.seen.length, 1, "no refresh after the grant was refused");
  await endpoint.server.shutdown();
});

Deno.test("writeSyncRecord() writes sync.json with mode 0600", {
  ignore: Deno.build.os === "windows",
}, async () => {
  const home = await Deno.makeTempDir({ prefix: "lumen-sync-test-" });
  try {
    await writeSyncRecord(home, recordFor("http://127.0.0.1:1", 0));
    assert.equal((await Deno.stat(`${home}/sync.json`)).mode! & 0o777, 0o600);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});
