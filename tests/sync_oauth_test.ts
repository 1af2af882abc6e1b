// Team sync's OAuth side end to end: a real daemon, a real authorization server (oidc-provider on
// loopback) with its login and consent pages driven in headless Chromium, and a stand-in sync
// server whose RFC 9728 metadata names it.
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { browserAvailable, launchBrowser } from "./dashboard/_browser.ts";
import { fixture } from "./fake_upstream.ts";
import { startOidcStack } from "./_oidc_provider.ts";
import { startStack } from "./_stack.ts";
import type { SyncStatus } from "../core/api/types.ts";

const SERVER_UUID = "0b8e8c1e-5d1f-4c47-9d2a-6f0e6b3f2a10";
/** Short-lived access tokens, so the daemon refreshes (and the server rotates) within the test. */
const ACCESS_TOKEN_TTL_S = 4;

interface SavedTokens {
  access_token: string | null;
  refresh_token: string | null;
  client: { client_id: string };
  state: string;
}

/** Polls `check` every 100 ms until it returns a value other than undefined; fails after `ms`. */
async function waitFor<T>(what: string, check: () => Promise<T | undefined>, ms = 20_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Signs in on oidc-provider's development pages (login if asked, then consent). */
async function signIn(page: Page, authorizeUrl?: string, login = "alice"): Promise<string> {
  if (authorizeUrl) await page.goto(authorizeUrl);
  await page.waitForURL(/\/interaction\/|\/api\/sync\/callback/, { timeout: 10_000 });
  const loginField = page.locator('input[name="login"]');
  if (await loginField.count() > 0) {
    await loginField.fill(login);
    await page.locator('input[name="password"]').fill("any password");
    await page.locator('button[type="submit"]').click();
    await page.waitForURL(/\/interaction\/.*|\/api\/sync\/callback/, { timeout: 10_000 });
  }
  if (page.url().includes("/interaction/")) {
    await page.locator('button[type="submit"]').click();
  }
  await page.waitForURL(/\/api\/sync\/callback/, { timeout: 10_000 });
  return page.url();
}

Deno.test({
  name: "team sync connects over OAuth, refreshes with rotation, survives a revoked grant",
  ignore: !browserAvailable(),
  async fn(t) {
    const oidc = await startOidcStack({ accessTokenTtl: ACCESS_TOKEN_TTL_S });
    const stack = await startStack({
      LUMEN_DATAGROUT_URL_TEMPLATE: `${oidc.resourceOrigin}/servers/{uuid}`,
      // The stack points the proxy variables at a dead port; the sync server is on loopback.
      NO_PROXY: "127.0.0.1,localhost",
    }).catch(async (error) => {
      await oidc.close();
      throw error;
    });
    const browser = await launchBrowser();
    const daemon = stack.daemon;
    const answers: string[] = [];
    const seenTokens = new Set<string>();
    const api = async (path: string, init?: RequestInit) => {
      const res = await fetch(`${daemon.apiOrigin}${path}`, init);
      const text = await res.text();
      answers.push(text);
      return {
        status: res.status,
        text,
        body: res.headers.get("content-type")?.includes("json") ? JSON.parse(text) : null,
      };
    };
    const status = async () => (await api("/api/sync")).body as SyncStatus;
    const post = (path: string, body: unknown) =>
      api(path, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    const syncFile = `${daemon.home}/sync.json`;
    const saved = async (): Promise<SavedTokens> => {
      const tokens = JSON.parse(await Deno.readTextFile(syncFile)) as SavedTokens;
      for (const token of [tokens.access_token, tokens.refresh_token]) {
        if (token) seenTokens.add(token);
      }
      return tokens;
    };
    const metadata = await (await fetch(`${oidc.issuer}/.well-known/openid-configuration`)).json();
    const page = await browser.newPage();
    const dashboard = await browser.newPage();
    let callbackUrl = "";
    try {
      await t.step(
        "connect with a bare UUID: discovery, registration, sign-in, callback",
        async () => {
          assert.equal((await status()).state, "disconnected");
          const connect = await post("/api/sync/connect", { server: SERVER_UUID });
          assert.equal(connect.status, 200, connect.text);
          const authorizeUrl = new URL(connect.body.authorize_url);
          assert.equal(authorizeUrl.origin, oidc.issuer);
          assert.equal(authorizeUrl.searchParams.get("code_challenge_method"), "S256");
          assert.ok(authorizeUrl.searchParams.get("state"));
          assert.equal(
            authorizeUrl.searchParams.get("redirect_uri"),
            `${daemon.apiOrigin}/api/sync/callback`,
          );
          assert.equal((await status()).state, "connecting");
          assert.ok(oidc.requests.includes("POST /reg"), "the client registered dynamically");

          callbackUrl = await signIn(page, authorizeUrl.href);
          assert.match(
            await page.locator("[data-testid=sync-callback]").innerText(),
            /Connected to/,
          );
          assert.equal(
            await page.locator("a").getAttribute("href"),
            "/dashboard/settings#sync",
          );
          const now = await status();
          assert.equal(now.state, "connected");
          assert.equal(now.server, `${oidc.resourceOrigin}/servers/${SERVER_UUID}`);
          assert.equal(now.account, "alice@example.test");
          assert.equal(now.queue_depth, 0);
          if (Deno.build.os !== "windows") {
            assert.equal((await Deno.stat(syncFile)).mode! & 0o777, 0o600);
          }
          const tokens = await saved();
          assert.ok(tokens.access_token && tokens.refresh_token);
        },
      );

      await t.step("the callback works once: a replay is refused with 400", async () => {
        const replay = await api(new URL(callbackUrl).pathname + new URL(callbackUrl).search);
        assert.equal(replay.status, 400);
        assert.match(replay.text, /already used or has expired/);
        const forged = await api("/api/sync/callback?code=x&state=made-up");
        assert.equal(forged.status, 400);
        assert.equal((await status()).state, "connected");
      });

      let spent = "";
      await t.step("the daemon refreshes before expiry and saves the rotated token", async () => {
        const before = await saved();
        spent = before.refresh_token!;
        const after = await waitFor("a rotated refresh token in sync.json", async () => {
          const now = await saved();
          return now.refresh_token !== spent ? now : undefined;
        });
        assert.ok(after.refresh_token);
        assert.notEqual(after.access_token, before.access_token);
        assert.equal((await status()).state, "connected");
      });

      await t.step("the spent refresh token is refused, which revokes the grant", async () => {
        const { client } = await saved();
        const res = await fetch(metadata.token_endpoint, {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded" },
          body: new URLSearchParams({
            grant_type: "refresh_token",
            refresh_token: spent,
            client_id: client.client_id,
          }),
        });
        assert.equal(res.status, 400);
        assert.equal((await res.json()).error, "invalid_grant");
      });

      await t.step("a revoked grant: reconnect needed, and local recording goes on", async () => {
        const now = await waitFor("reconnect_needed", async () => {
          const s = await status();
          return s.state === "reconnect_needed" ? s : undefined;
        });
        assert.match(now.last_error?.message ?? "", /reconnect/);
        const tokens = await saved();
        assert.equal(tokens.access_token, null);
        assert.equal(tokens.refresh_token, null);
        const { meta } = await fixture("openai/chat_stream_usage");
        const res = await fetch(`${stack.relay("openai")}/v1/chat/completions`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(meta.request),
        });
        assert.equal(res.status, 200);
        await res.body?.cancel();
        const { event } = await stack.feed.next();
        assert.equal(event.provider, "openai");
        const events = (await api("/api/events?limit=10")).body.events;
        assert.ok(events.some((e: { id: string }) => e.id === event.id), "the event was stored");
        await dashboard.goto(`${daemon.apiOrigin}/dashboard/settings#sync`);
        await dashboard.locator("[data-testid=sync-reconnect]").waitFor({ timeout: 10_000 });
        assert.equal(
          await dashboard.locator("[data-testid=sync-state]").getAttribute("data-state"),
          "reconnect_needed",
        );
      });

      await t.step("the dashboard's Reconnect signs in again in a new tab", async () => {
        const [tab] = await Promise.all([
          dashboard.context().waitForEvent("page"),
          dashboard.getByRole("button", { name: "Reconnect" }).click(),
        ]);
        await signIn(tab);
        assert.match(await tab.locator("[data-testid=sync-callback]").innerText(), /Connected to/);
        await tab.close();
        await dashboard.bringToFront();
        await dashboard.locator('[data-testid=sync-state][data-state="connected"]').waitFor({
          timeout: 10_000,
        });
        assert.equal(
          await dashboard.locator("[data-testid=sync-account]").innerText(),
          "alice@example.test",
        );
        await saved();
      });

      await t.step(
        "disconnect: revoked at the server, sync.json gone",
        async () => {
          assert.equal((await status()).state, "connected");
          const { refresh_token } = await saved();
          const revocations = oidc.requests.filter((r) => r === "POST /token/revocation").length;
          const answer = await post("/api/sync/disconnect", {});
          assert.equal(answer.status, 200, answer.text);
          assert.equal(answer.body.state, "disconnected");
          assert.equal(answer.body.last_error, null, JSON.stringify(answer.body.last_error));
          assert.ok(
            oidc.requests.filter((r) => r === "POST /token/revocation").length > revocations,
            "the revocation endpoint was called",
          );
          await assert.rejects(Deno.stat(syncFile), Deno.errors.NotFound);
          const found = await oidc.provider.RefreshToken.find(refresh_token!);
          assert.equal(found, undefined, "the provider no longer knows the refresh token");
        },
      );

      await t.step("no token ever appears in the daemon's output or in an API answer", () => {
        assert.ok(seenTokens.size >= 4);
        const output = daemon.output();
        for (const token of seenTokens) {
          assert.ok(!output.includes(token), "a token was logged");
          assert.ok(!answers.some((a) => a.includes(token)), "a token was answered");
        }
      });
    } finally {
      await browser.close();
      await stack.close();
      await oidc.close();
    }
  },
});
