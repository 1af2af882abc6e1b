import assert from "node:assert/strict";
import { checkSettingsPatch } from "./config_file.ts";
import { refusalFor } from "./notify_budgets.ts";
import type { BudgetStatus } from "./usage/budgets.ts";

const OVER: BudgetStatus = {
  period: "weekly",
  limit_usd: 5,
  spent_usd: 5.25,
  ratio: 1.05,
  crossed: [50, 80, 100],
  thresholds: [50, 80, 100],
  starts_at: 0,
  resets_at: 1,
};

Deno.test("refusalFor() answers 429 in each provider's error shape, naming the budget", () => {
  const openai = refusalFor("openai", OVER);
  assert.equal(openai.status, 429);
  const body = openai.body as { error: { message: string; type: string; code: string } };
  assert.equal(body.error.type, "budget_exceeded");
  assert.equal(body.error.code, "lumen_budget");
  assert.match(body.error.message, /weekly budget of \$5 reached \(\$5\.25 spent\)/);
  assert.deepEqual(refusalFor(null, OVER).body, openai.body);
  const anthropic = refusalFor("anthropic", OVER).body as Record<string, Record<string, string>>;
  assert.equal(anthropic.type, "error");
  assert.equal(anthropic.error.type, "rate_limit_error");
  assert.match(anthropic.error.message, /weekly budget/);
  const google = refusalFor("google", OVER).body as { error: { code: number; status: string } };
  assert.deepEqual([google.error.code, google.error.status], [429, "RESOURCE_EXHAUSTED"]);
});

Deno.test("checkSettingsPatch() checks budgets, thresholds and block_at_limit", () => {
  assert.equal(checkSettingsPatch({ budgets: { daily_usd: 1.5, lap_usd: null } }), null);
  assert.equal(checkSettingsPatch({ budget_thresholds: [25, 50, 100, 150] }), null);
  assert.equal(checkSettingsPatch({ block_at_limit: true }), null);
  assert.match(checkSettingsPatch({ budgets: { daily_usd: 0 } })!, /"budgets"/);
  assert.match(checkSettingsPatch({ budgets: { hourly_usd: 1 } })!, /"hourly_usd" is not one/);
  assert.match(checkSettingsPatch({ budgets: null })!, /"budgets"/);
  assert.match(checkSettingsPatch({ budget_thresholds: [0] })!, /"budget_thresholds"/);
  assert.match(checkSettingsPatch({ budget_thresholds: "50" })!, /"budget_thresholds"/);
  assert.match(checkSettingsPatch({ block_at_limit: 1 })!, /"block_at_limit"/);
});
