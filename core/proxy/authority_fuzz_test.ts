// Property-based tests of the proxy's target parsing: CONNECT authorities, absolute-form targets and
// relay routes. Any string parses without a throw, and whatever is accepted names a well-formed
// lower-case host, a port in 1..65535, and (for relay routes) one of the three relay hosts.
import assert from "node:assert/strict";
import net from "node:net";
import fc from "fast-check";
import { fuzzOptions } from "../parse/_fuzz_fixture.ts";
import { parseAbsoluteTarget, parseAuthority } from "./authority.ts";
import { RELAY_ROUTES, resolveRelayRoute } from "./route.ts";

const LABEL_REGEXP = /^[a-z0-9_-]{1,63}$/;

/** A lower-case IP literal (IPv6 without brackets) or DNS name of non-empty labels. */
function assertHost(host: string, input: string): void {
  const why = `host ${JSON.stringify(host)} from ${JSON.stringify(input)}`;
  assert.equal(host, host.toLowerCase(), why);
  if (net.isIP(host) !== 0) return;
  assert.ok(host.length <= 253 && host.split(".").every((l) => LABEL_REGEXP.test(l)), why);
}

function assertPort(port: number, input: string): void {
  assert.ok(Number.isInteger(port) && port >= 1 && port <= 65535, `port ${port} from ${input}`);
}

// Host spellings, valid and not: names (mixed case, trailing dots, empty labels), IPv4 in every
// shorthand, IPv6 with and without brackets, and characters URL parsers treat specially.
const hostPiece = fc.oneof(
  fc.mixedCase(fc.domain()),
  fc.ipV4(),
  fc.ipV4Extended(),
  fc.ipV6().map((ip) => `[${ip}]`),
  fc.ipV6(),
  fc.string({
    unit: fc.constantFrom(..."aZ09.-_:[]%@/\\?#* \t\u00e9\u3002\u0000".split("")),
    maxLength: 12,
  }),
);
const hostish = fc.tuple(hostPiece, fc.constantFrom("", ".", "..")).map(([h, dot]) => h + dot);
const portish = fc.oneof(
  fc.integer({ min: -2, max: 70_000 }).map(String),
  fc.constantFrom("", "0", "00080", "65535", "65536", "99999", "1e3", "+1", " 80", "0x50"),
);
const anyText = fc.string({ unit: "binary", maxLength: 40 });
const authorityText = fc.oneof(
  fc.tuple(hostish, portish).map(([h, p]) => `${h}:${p}`),
  hostish,
  anyText,
);

Deno.test("parseAuthority() accepts only a lower-case host and a port in 1..65535", () => {
  fc.assert(
    fc.property(authorityText, (target) => {
      const authority = parseAuthority(target);
      if (!authority) return;
      assertHost(authority.host, target);
      assertPort(authority.port, target);
    }),
    fuzzOptions(0xa1, 3000),
  );
});

Deno.test("parseAuthority() reads every well-formed name and IP literal with its port", () => {
  const host = fc.oneof(
    fc.domain().map((d) => [d, d] as const),
    fc.ipV4().map((ip) => [ip, ip] as const),
    fc.ipV6().map((ip) => [`[${ip.toUpperCase()}]`, ip.toLowerCase()] as const),
  );
  fc.assert(
    fc.property(host, fc.integer({ min: 1, max: 65535 }), ([spelled, expected], port) => {
      assert.deepEqual(parseAuthority(`${spelled}:${port}`), { host: expected, port });
    }),
    fuzzOptions(0xa2, 1000),
  );
});

const scheme = fc.constantFrom(
  "http://",
  "https://",
  "HTTP://",
  "hTTps://",
  "http:/",
  "ftp://",
  "",
);
const userinfo = fc.constantFrom("", "user@", "u:p@", "@", ":@");
const pathish = fc.string({
  unit: fc.constantFrom(..."/?#%.a@:\\".split("")),
  maxLength: 12,
});
const absoluteText = fc.oneof(
  fc.tuple(scheme, userinfo, hostish, fc.option(portish, { nil: undefined }), pathish)
    .map(([s, u, h, p, path]) => `${s}${u}${h}${p === undefined ? "" : `:${p}`}${path}`),
  fc.webUrl({ withQueryParameters: true, withFragments: true }),
  anyText,
);

Deno.test("parseAbsoluteTarget() accepts only a lower-case host, a port in 1..65535 and a path", () => {
  fc.assert(
    fc.property(absoluteText, (target) => {
      const parsed = parseAbsoluteTarget(target);
      if (!parsed) return;
      assert.ok(parsed.pathWithQuery.startsWith("/"), target);
      assert.ok(!parsed.pathWithQuery.includes("#"), `fragment kept from ${target}`);
      assertHost(parsed.authority.host, target);
      assertPort(parsed.authority.port, target);
      assert.ok(["http:", "https:"].includes(parsed.origin.protocol), target);
    }),
    fuzzOptions(0xa3, 3000),
  );
});

const RELAY_HOSTS = new Set(Object.values(RELAY_ROUTES));
const prefix = fc.constantFrom(
  "openai",
  "anthropic",
  "google",
  "OpenAI",
  "openaix",
  "openai@evil.com",
  "openai.evil.com",
  "__proto__",
  "constructor",
  "",
);
const routeText = fc.oneof(
  fc.tuple(
    fc.constantFrom("/", "//", ""),
    prefix,
    fc.array(
      fc.oneof(
        fc.constantFrom("/", "?", "..", ".", "%2e", "%2E", "%2f", "%5c", "\\", "@", ":", "//", "#"),
        fc.string({ maxLength: 4 }),
      ),
      { maxLength: 8 },
    ),
  ).map(([slash, p, rest]) => slash + p + rest.join("")),
  anyText,
);

Deno.test("resolveRelayRoute() maps only its prefixes, to a relay host and a rooted path", () => {
  fc.assert(
    fc.property(routeText, (target) => {
      const route = resolveRelayRoute(target);
      if (!route) return;
      assert.ok(RELAY_HOSTS.has(route.host), `host ${route.host} from ${target}`);
      assert.ok(route.pathWithQuery.startsWith("/"), target);
      // The first segment alone picks the host; the rest is the upstream path, byte for byte.
      const [name] = Object.entries(RELAY_ROUTES).find(([, host]) => host === route.host)!;
      assert.match(target, new RegExp(`^/${name}(?:[/?]|$)`));
      const rest = target.slice(name.length + 1);
      assert.equal(route.pathWithQuery, rest.startsWith("/") ? rest : `/${rest}`);
      // No path a server could read differently: dot segments (also as %2e, or split by an
      // encoded separator), backslashes, or a leading "//".
      const path = route.pathWithQuery.split("?")[0];
      const segments = path.replace(/%2e/gi, ".").split(/\/|%2f|%5c/i);
      assert.ok(!segments.includes(".") && !segments.includes(".."), `dot segment in ${target}`);
      assert.ok(!path.includes("\\") && !path.startsWith("//"), `ambiguous path in ${target}`);
    }),
    fuzzOptions(0xa4, 3000),
  );
});

// Cases the properties found, kept as plain regression tests.
Deno.test({
  name: "parseAuthority() rejects empty labels and brackets around what is not IPv6",
  fn() {
    for (const target of ["a..b:1", "a..:1", ".:1", "[:::::]:1", "[.]:1", "[1.2.3.4]:1"]) {
      assert.equal(parseAuthority(target), null, target);
    }
  },
});

Deno.test({
  name: "parseAbsoluteTarget() rejects port 0, empty labels and non-DNS host characters",
  fn() {
    for (
      const target of [
        "http://a:0/",
        "https://[::1]:0/",
        "http://a..b/",
        "http://../",
        "http://*/",
        "http://a'b/",
      ]
    ) {
      assert.equal(parseAbsoluteTarget(target), null, target);
    }
  },
});
