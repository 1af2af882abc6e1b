// The macOS menu bar's document against the real daemon: a relay call changes the title, and the
// menu's actions do what they say when performed as the Swift app performs them (scripts/macos/
// StatusController.swift): a POST to the action's path with its JSON body and no Origin header.
import assert from "node:assert/strict";
import { formatUsd } from "../core/api/statusbar.ts";
import type { StatusBar, StatusBarItem } from "../core/api/types.ts";
import { startStack } from "./_stack.ts";
import { standIns } from "./_stand_ins.ts";

function item(bar: StatusBar, id: string): StatusBarItem {
  const found = bar.menu.find((i) => i.id === id);
  assert.ok(found, `no menu item "${id}" in ${bar.menu.map((i) => i.id).join(", ")}`);
  return found;
}

Deno.test("the status bar follows a relay call, and its New lap and Launch actions work", async () => {
  const s = await standIns();
  const stack = await startStack(s.env).catch(async (error) => {
    await s.remove();
    throw error;
  });
  const { daemon } = stack;
  /** Performs a menu item's action like the app: fetch sends no Origin, like URLSession. */
  const perform = async (i: StatusBarItem) => {
    assert.ok(i.action && "method" in i.action, `${i.id} is not a POST action`);
    const res = await fetch(`${daemon.apiOrigin}${i.action.path}`, {
      method: i.action.method,
      headers: { "content-type": "application/json" },
      body: JSON.stringify(i.action.body),
    });
    return { status: res.status, body: await res.json() };
  };
  try {
    const fresh: StatusBar = await daemon.api("/api/statusbar");
    assert.equal(fresh.title, "$0.00");
    assert.equal(fresh.state, "ok");
    assert.deepEqual(item(fresh, "open-dashboard").action, {
      open: `${daemon.apiOrigin}/dashboard/`,
    });

    const res = await stack.relayFixture("openai/chat");
    assert.equal(res.status, 200);
    await res.body?.cancel();
    const { event } = await stack.feed.next();
    assert.ok(event.cost_usd! > 0);

    const after: StatusBar = await daemon.api("/api/statusbar");
    assert.equal(after.title, formatUsd(event.cost_usd!));
    assert.notEqual(after.title, fresh.title);
    assert.equal(item(after, "today").label, `Today: ${after.title} · 1 request`);
    assert.equal(item(after, "lap").label, `This lap (Lap 1): ${after.title}`);

    const lap = await perform(item(after, "new-lap"));
    assert.equal(lap.status, 200, JSON.stringify(lap.body));
    assert.equal(lap.body.closed.name, "Lap 1");
    assert.equal(lap.body.closed.cost_usd, event.cost_usd);
    const laps = await daemon.api("/api/laps");
    assert.equal(
      laps.laps.filter((l: { ended_at: number | null }) => l.ended_at !== null).length,
      1,
    );
    const next: StatusBar = await daemon.api("/api/statusbar");
    assert.equal(item(next, "lap").label, "This lap (Lap 2): $0.00");
    assert.equal(next.title, after.title, "a new lap leaves today's spend as it is");

    // The stand-in `cursor` on PATH is the one launchable GUI app; `claude` runs in a terminal.
    const launches = next.menu.filter((i) => i.id.startsWith("launch-"));
    assert.deepEqual(launches.map((i) => i.label), ["Launch Cursor"]);
    const launched = await perform(launches[0]);
    assert.equal(launched.status, 202, JSON.stringify(launched.body));
    const { env } = await s.recorded("cursor");
    assert.equal(env.HTTPS_PROXY, daemon.proxyOrigin);
  } finally {
    await stack.close();
    await s.remove();
  }
});
