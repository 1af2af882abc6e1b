// Test support: the settings contract the config file and the API tests check against.

/** Every setting at its default, spelled out: the contract these tests check against. */
export const DEFAULTS = {
  include_stream_usage: true,
  retention_days: null,
  setup_done: false,
  dg_tools_visible: true,
  dg_intelligent_interface: false,
  budgets: { daily_usd: null, weekly_usd: null, monthly_usd: null, lap_usd: null },
  budget_thresholds: [50, 80, 100],
  block_at_limit: false,
};
