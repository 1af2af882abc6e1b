import assert from "node:assert/strict";
import { isSecretName, REDACTED, redactHeaders, redactJsonText, redactQuery } from "./redact.ts";

Deno.test("isSecretName() flags credential headers and any name with key or token", () => {
  const table: [string, boolean][] = [
    ["authorization", true],
    ["Authorization", true],
    ["proxy-authorization", true],
    ["x-api-key", true],
    ["X-Goog-Api-Key", true],
    ["cookie", true],
    ["set-cookie", true],
    ["key", true],
    ["KEY", true],
    ["api_key", true],
    ["x-amz-security-token", true],
    ["access_token", true],
    ["x-ratelimit-remaining-tokens", true],
    ["client_secret", true],
    ["x-csrf-token", true],
    ["content-type", false],
    ["user-agent", false],
    ["anthropic-version", false],
    ["openai-organization", false],
    ["alt", false],
    ["beta", false],
  ];
  for (const [name, secret] of table) assert.equal(isSecretName(name), secret, name);
});

Deno.test("redactHeaders() replaces credential values and keeps every other header as it was", () => {
  const headers = {
    authorization: "Bearer sk-live-123",
    "x-api-key": "sk-ant-456",
    "x-goog-api-key": "AIza789",
    cookie: "session=abc",
    "set-cookie": "id=1; HttpOnly",
    "x-custom-token": "tok",
    "content-type": "application/json",
    "user-agent": "curl/8.5.0",
  };
  const redacted = redactHeaders(headers);
  assert.deepEqual(redacted, {
    authorization: REDACTED,
    "x-api-key": REDACTED,
    "x-goog-api-key": REDACTED,
    cookie: REDACTED,
    "set-cookie": REDACTED,
    "x-custom-token": REDACTED,
    "content-type": "application/json",
    "user-agent": "curl/8.5.0",
  });
  assert.equal(headers.authorization, "Bearer sk-live-123", "the input is not changed");
});

Deno.test("redactQuery() redacts key and token parameters under any spelling of their name", () => {
  const table: [string, string][] = [
    ["", ""],
    ["alt=sse", "alt=sse"],
    ["key=AIza123", `key=${REDACTED}`],
    ["alt=sse&key=AIza123", `alt=sse&key=${REDACTED}`],
    [
      "KEY=a&Api_Key=b&access_token=c&beta=true",
      `KEY=${REDACTED}&Api_Key=${REDACTED}&access_token=${REDACTED}&beta=true`,
    ],
    ["%6Bey=AIza123", `%6Bey=${REDACTED}`],
    ["api+key=x", `api+key=${REDACTED}`],
    ["key", `key=${REDACTED}`],
    ["key=a=b", `key=${REDACTED}`],
    ["%E0%A4%A=1&token=2", `%E0%A4%A=1&token=${REDACTED}`],
    ["q=keyboard", "q=keyboard"],
    ["a=1&&b=%20", "a=1&&b=%20"],
  ];
  for (const [query, expected] of table) assert.equal(redactQuery(query), expected, query);
});

Deno.test("redactJsonText() redacts string members named like credentials, and nothing else", () => {
  const R = JSON.stringify(REDACTED);
  const table: [string, string][] = [
    ["", ""],
    ["plain text", "plain text"],
    ['{"api_key":"sk-1","model":"gpt"}', `{"api_key":${R},"model":"gpt"}`],
    ['{ "Token" :\n "t-1" }', `{ "Token" :\n ${R} }`],
    ['{"api\\u005fkey":"sk-1"}', `{"api\\u005fkey":${R}}`],
    [
      '{"max_tokens":64,"budget_tokens":null,"auth":{"type":"x"}}',
      '{"max_tokens":64,"budget_tokens":null,"auth":{"type":"x"}}',
    ],
    ['{"key":"a \\" b","k":"v"}', `{"key":${R},"k":"v"}`],
    // A member spelled inside a prompt is text, not JSON.
    [
      '{"content":"use {\\"api_key\\": \\"x\\"} here"}',
      '{"content":"use {\\"api_key\\": \\"x\\"} here"}',
    ],
    ['["key","sk-1"]', '["key","sk-1"]'],
    [
      'data: {"access_token":"t"}\n\ndata: {"x":"key"}\n\n',
      `data: {"access_token":${R}}\n\ndata: {"x":"key"}\n\n`,
    ],
    // Cut inside the secret: the rest is redacted.
    ['{"model":"m","api_key":"sk-12', `{"model":"m","api_key":${R}`],
    ['{"model":"m","api_key":', '{"model":"m","api_key":'],
  ];
  for (const [text, expected] of table) assert.equal(redactJsonText(text), expected, text);
});
