// Regenerates pricing/pricing.json from LiteLLM's model_prices_and_context_window.json:
//   deno run -A scripts/update_pricing.ts [path-or-url] [YYYY-MM-DD]
// The default source is the snapshot in ../shared/reference; the date defaults to the file's
// modification date (today for a URL). Hand corrections come from pricing/corrections.json.
import { bundledPriceCorrections, convertLiteLlm } from "../pricing/mod.ts";

const DEFAULT_SOURCE = new URL("../../shared/reference/litellm_model_prices.json", import.meta.url);
const OUTPUT = new URL("../pricing/pricing.json", import.meta.url);
const DATE_REGEXP = /^\d{4}-\d{2}-\d{2}$/;

const [from = DEFAULT_SOURCE.href, date] = Deno.args;
if (date !== undefined && !DATE_REGEXP.test(date)) {
  console.error(`Cannot use "${date}" as the updated date: expected YYYY-MM-DD`);
  Deno.exit(2);
}

const { json, updated, name } = await load(from);
const corrections = bundledPriceCorrections();
const { table, skipped, corrected } = convertLiteLlm(json, {
  corrections,
  updated: date ?? updated,
  source: `LiteLLM model_prices_and_context_window.json (${name}), with pricing/corrections.json`,
});
await Deno.writeTextFile(OUTPUT, JSON.stringify(table, null, 2) + "\n");
await formatOutput();

const models = Object.values(table.models);
const aliases = models.reduce((n, m) => n + m.aliases.length, 0);
const byProvider = ["openai", "anthropic", "google"]
  .map((p) => `${p} ${models.filter((m) => m.provider === p).length}`).join(", ");
console.log(`Wrote ${OUTPUT.pathname}, updated ${table.updated}:`);
console.log(`  ${models.length} models (${byProvider}) and ${aliases} aliases`);
const reasons = new Map<string, string[]>();
for (const { id, reason } of skipped) {
  const group = reason.startsWith("duplicate of") ? "duplicate of a gemini/ record" : reason;
  reasons.set(group, [...reasons.get(group) ?? [], id]);
}
console.log(`Skipped ${skipped.length}:`);
for (const [reason, ids] of [...reasons].sort((a, b) => b[1].length - a[1].length)) {
  const shown = ids.length > 4 ? `${ids.slice(0, 4).join(", ")}, …` : ids.join(", ");
  console.log(`  ${String(ids.length).padStart(3)} ${reason} (${shown})`);
}
console.log(`Corrections applied: ${corrected.length} of ${corrections.length}`);
for (const c of corrections) {
  if (corrected.includes(c)) continue;
  console.log(`  unused: ${c.model} ${c.field} (LiteLLM no longer says ${c.was})`);
}

async function load(source: string): Promise<{ json: unknown; updated: string; name: string }> {
  if (/^https?:\/\//.test(source)) {
    const res = await fetch(source);
    if (!res.ok) throw new Error(`Cannot fetch ${source}: HTTP ${res.status}`);
    return { json: await res.json(), updated: today(), name: source };
  }
  const path = source.startsWith("file:") ? new URL(source) : source;
  const stat = await Deno.stat(path);
  const name = typeof path === "string" ? path : path.pathname;
  const json = JSON.parse(await Deno.readTextFile(path));
  const updated = stat.mtime ? stat.mtime.toISOString().slice(0, 10) : today();
  return { json, updated, name: `snapshot ${name.split("/").slice(-3).join("/")}` };
}

function today(): string {
  return new Date().toISOString().slice(0, 10);
}

/** Runs `deno fmt` on the output so the committed file passes `deno fmt --check`. */
async function formatOutput(): Promise<void> {
  const fmt = new Deno.Command(Deno.execPath(), { args: ["fmt", "-q", OUTPUT.pathname] });
  const { code } = await fmt.output();
  if (code !== 0) throw new Error(`deno fmt failed on ${OUTPUT.pathname}`);
}
