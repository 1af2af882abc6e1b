import assert from "node:assert/strict";
import { apiFixture, fakeCaTrust } from "./_handler_fixture.ts";

const UNTRUSTED = {
  trusted: false,
  checkedAt: 1_800_000_000_000,
  error: "invalid peer certificate: UnknownIssuer",
};
const TRUSTED = { trusted: true, checkedAt: 1_800_000_005_000, error: null };

Deno.test("describeCa() answers the cached trust verdict without running a check", async () => {
  const caTrust = fakeCaTrust(UNTRUSTED, TRUSTED);
  await using api = await apiFixture({ caTrust });
  const { status, body } = await api.json("/api/ca");
  assert.equal(status, 200);
  assert.equal(body.trusted, false);
  assert.equal(body.checked_at, UNTRUSTED.checkedAt);
  assert.equal(body.trust_error, UNTRUSTED.error);
  assert.equal(caTrust.checks, 0);
});

Deno.test("describeCa() runs a fresh check for ?check=1 and keeps its verdict", async () => {
  const caTrust = fakeCaTrust(UNTRUSTED, TRUSTED);
  await using api = await apiFixture({ caTrust });
  const fresh = await api.json("/api/ca?check=1");
  assert.equal(fresh.status, 200);
  assert.deepEqual(
    [fresh.body.trusted, fresh.body.checked_at, fresh.body.trust_error],
    [true, TRUSTED.checkedAt, null],
  );
  assert.equal(caTrust.checks, 1);
  const cached = await api.json("/api/ca");
  assert.equal(cached.body.trusted, true);
  assert.equal(caTrust.checks, 1);
});

Deno.test("describeCa() refuses check values other than 1 and methods other than GET", async () => {
  const caTrust = fakeCaTrust();
  await using api = await apiFixture({ caTrust });
  for (const value of ["0", "yes", ""]) {
    const res = await api.json(`/api/ca?check=${value}`);
    assert.equal(res.status, 400, value);
    assert.equal(res.body.error.code, "bad_request");
    assert.match(res.body.error.message, /check must be 1/);
  }
  const post = await api.call("/api/ca?check=1", { method: "POST" });
  assert.equal(post.status, 405);
  await post.body?.cancel();
  assert.equal(caTrust.checks, 0);
});
