// The grammar of model names, shared by the matcher (which reads what a response reports) and the
// LiteLLM converter (which groups snapshots under their base id), so both agree on what a
// "snapshot of the same model" is.

// Gateways and SDKs name models with these prefixes (`models/gemini-2.5-pro` from the Gemini
// API, `openai/gpt-5` from OpenRouter and LiteLLM); they never change the price.
const PROVIDER_PREFIX_REGEXP = /^(?:models|openai|anthropic|google|gemini)\//;
// Amazon Bedrock cross-region inference profiles (`us.`, `eu.`, `apac.`, `global.`) and its vendor
// namespace (`anthropic.`): https://docs.aws.amazon.com/bedrock/latest/userguide/inference-profiles-support.html
const REGION_PREFIX_REGEXP = /^(?:us|eu|apac|global|anthropic)\./;
// Bedrock's model version, e.g. `anthropic.claude-sonnet-4-5-20250929-v1:0`. Only the `:N` form:
// a bare `-v2` can name another model (claude-3-5-sonnet-v2).
const BEDROCK_VERSION_REGEXP = /-v\d+:\d+$/;
// Vertex AI writes the snapshot date after `@`: `claude-sonnet-4-5@20250929`.
const VERTEX_DATE_REGEXP = /@(\d{8})$/;
// OpenAI fine-tunes: `ft:<base>:<org>:<suffix>:<id>` is billed at the `ft:<base>` rates.
const FINE_TUNE_REGEXP = /^(ft:[^:]+):.*$/;
// Dated snapshots: OpenAI `-2025-08-07`, Anthropic `-20251001`.
const DATE_SUFFIX_REGEXP = /-(?:\d{4}-\d{2}-\d{2}|\d{8})$/;
const LATEST_SUFFIX_REGEXP = /-latest$/;

// What may follow a known id for the name to still mean that model: snapshot dates
// (2024-08-06, 20250929, 09-2025, 05-20), version numbers (001, 0613, 1206, v2) and words that
// mark a release channel. Anything else — a tier word (mini, lite, pro, haiku, turbo, chat,
// search, audio, codex…), an unknown word, or a lone one- or two-digit minor version (-4 → -4-5)
// — names another model, possibly another price, so the name stays unpriced.
const VARIANT_TOKEN =
  "(?:preview|exp|experimental|latest|snapshot|v\\d+|\\d{4}-\\d{2}-\\d{2}|\\d{2}-\\d{4}|\\d{2}-\\d{2}|\\d{3,8})";
const VARIANT_SUFFIX_REGEXP = new RegExp(`^${VARIANT_TOKEN}(?:-${VARIANT_TOKEN})*$`);

/**
 * Lower-cases a model name and strips what does not change its price: gateway prefixes
 * (stacked or not), Bedrock region and vendor prefixes with their `-v1:0` version, Vertex's `@`
 * date, and a fine-tune's organization and job suffix. Date and `-latest` suffixes stay: an
 * exact dated entry may be priced apart (gpt-4o-2024-05-13).
 *
 * @example
 * ```ts
 * normalizeModelId("models/Gemini-2.5-Pro"); // "gemini-2.5-pro"
 * normalizeModelId("us.anthropic.claude-sonnet-4-5-20250929-v1:0"); // "claude-sonnet-4-5-20250929"
 * ```
 */
export function normalizeModelId(model: string): string {
  let id = model.trim().toLowerCase();
  // Repeated because prefixes stack, e.g. `gemini/models/gemini-2.5-flash`, `us.anthropic.`.
  for (let before = ""; before !== id;) {
    before = id;
    id = id.replace(PROVIDER_PREFIX_REGEXP, "").replace(REGION_PREFIX_REGEXP, "");
  }
  return id
    .replace(BEDROCK_VERSION_REGEXP, "")
    .replace(VERTEX_DATE_REGEXP, "-$1")
    .replace(FINE_TUNE_REGEXP, "$1");
}

/** Drops a trailing `-latest` and snapshot date: `gpt-5-mini-2025-08-07` → `gpt-5-mini`. */
export function undatedModelId(id: string): string {
  return id.replace(LATEST_SUFFIX_REGEXP, "").replace(DATE_SUFFIX_REGEXP, "");
}

/**
 * Returns the shorter ids `id` could be a snapshot of, longest first: each proper prefix at a
 * `-` whose remaining suffix only holds dates, version numbers or release words.
 *
 * @example
 * ```ts
 * familyBasesOf("gemini-2.5-flash-lite-preview-09-2025");
 * // ["gemini-2.5-flash-lite-preview-09", "gemini-2.5-flash-lite-preview", "gemini-2.5-flash-lite"]
 * familyBasesOf("gpt-5-mini-foo"); // []
 * ```
 */
export function familyBasesOf(id: string): string[] {
  const bases: string[] = [];
  // A longer suffix can pass where a shorter one failed (`05-20` but not `20`), so keep scanning.
  for (let i = id.lastIndexOf("-"); i > 0; i = id.lastIndexOf("-", i - 1)) {
    if (VARIANT_SUFFIX_REGEXP.test(id.slice(i + 1))) bases.push(id.slice(0, i));
  }
  return bases;
}
