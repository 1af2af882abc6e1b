import assert from "node:assert/strict";
import type { RequestRewrite, Tap, TapFactory, TapRequest } from "../proxy/tap.ts";
import { composeTapFactories } from "./compose_tap.ts";

const REQUEST: TapRequest = {
  mode: "relay",
  host: "api.openai.com",
  method: "POST",
  path: "/v1/chat/completions",
  query: "",
  headers: {},
  body: new Uint8Array(),
  startedAt: 0,
};

const REWRITE: RequestRewrite = {
  body: new Uint8Array([1]),
  headers: {},
  responseFilter: () => null,
};

/** A tap that logs its calls under `name`, throwing on the call named by `throwOn`. */
function loggingTap(name: string, log: string[], throwOn?: string, rewrite?: RequestRewrite): Tap {
  const record = (call: string) => {
    if (call === throwOn) throw new Error(`${name} broke`);
    log.push(`${name}.${call}`);
  };
  return {
    rewrite,
    onResponse: () => record("onResponse"),
    onChunk: () => record("onChunk"),
    onEnd: () => record("onEnd"),
  };
}

function run(tap: Tap): void {
  tap.onResponse(200, {});
  tap.onChunk(new Uint8Array([1]));
  tap.onEnd({ aborted: false });
}

Deno.test("composeTapFactories() answers null when no factory answers a tap", () => {
  const compose = composeTapFactories([() => null, () => null], () => {});
  assert.equal(compose(REQUEST), null);
});

Deno.test("composeTapFactories() answers the only tap itself", () => {
  const tap = loggingTap("a", []);
  assert.equal(composeTapFactories([() => tap, () => null], () => {})(REQUEST), tap);
});

Deno.test("composeTapFactories() feeds every tap in order and keeps the first rewrite", () => {
  const log: string[] = [];
  const factories: TapFactory[] = [
    () => loggingTap("usage", log, undefined, REWRITE),
    () => loggingTap("debug", log, undefined, { ...REWRITE, body: new Uint8Array([2]) }),
  ];
  const tap = composeTapFactories(factories, () => {})(REQUEST)!;
  assert.equal(tap.rewrite, REWRITE);
  run(tap);
  assert.deepEqual(log, [
    "usage.onResponse",
    "debug.onResponse",
    "usage.onChunk",
    "debug.onChunk",
    "usage.onEnd",
    "debug.onEnd",
  ]);
});

Deno.test("composeTapFactories() switches off only the tap or factory that threw", () => {
  const log: string[] = [];
  const errors: string[] = [];
  const factories: TapFactory[] = [
    () => loggingTap("usage", log),
    () => loggingTap("debug", log, "onChunk"),
    () => {
      throw new Error("factory broke");
    },
  ];
  const tap = composeTapFactories(factories, (e) => errors.push((e as Error).message))(REQUEST)!;
  run(tap);
  tap.onChunk(new Uint8Array([2]));
  assert.deepEqual(errors, ["factory broke", "debug broke"]);
  assert.deepEqual(log, [
    "usage.onResponse",
    "debug.onResponse",
    "usage.onChunk",
    "usage.onEnd",
    "usage.onChunk",
  ]);
});
