import assert from "node:assert/strict";
import { isProjectName, projectFromHeaders } from "./project.ts";

Deno.test("isProjectName() accepts 1-64 chars of [A-Za-z0-9._-] only", () => {
  for (const name of ["website", "a", "My_App-2.0", "x".repeat(64), "...", ".env"]) {
    assert.ok(isProjectName(name), name);
  }
  for (
    const name of ["", "x".repeat(65), ".", "..", "a b", "a/b", "a%2Fb", "é", "a\\b", "a:b", "a@b"]
  ) {
    assert.ok(!isProjectName(name), name);
  }
});

Deno.test("projectFromHeaders() reads X-Lumen-Project in any case and ignores invalid values", () => {
  assert.equal(projectFromHeaders(["X-Lumen-Project", "website"]), "website");
  assert.equal(projectFromHeaders(["x-lumen-project", " api "]), "api");
  assert.equal(projectFromHeaders(["X-LUMEN-PROJECT", "has space"]), null);
  assert.equal(projectFromHeaders(["X-Lumen-Project", "../etc"]), null);
  assert.equal(projectFromHeaders(["X-Lumen-Project", "bad/one", "X-Lumen-Project", "ok"]), "ok");
  assert.equal(projectFromHeaders(["user-agent", "curl/8"]), null);
  assert.equal(projectFromHeaders([]), null);
});
