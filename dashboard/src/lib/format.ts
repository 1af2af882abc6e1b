// Number, money, token and time formatting for reading at a glance. Pure: no DOM, no clock.

const GROUPED = new Intl.NumberFormat("en-US");

/**
 * US dollars with the precision the amount needs: cents from $1 up, three decimals down to one
 * cent, two significant digits below that (LLM calls often cost fractions of a cent).
 */
export function formatUsd(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "—";
  const sign = value < 0 ? "−" : "";
  const abs = Math.abs(value);
  if (abs === 0) return "$0.00";
  if (abs >= 1000) return `${sign}$${GROUPED.format(Math.round(abs))}`;
  if (abs >= 1) return `${sign}$${abs.toFixed(2)}`;
  if (abs >= 0.01) return `${sign}$${abs.toFixed(3)}`;
  return `${sign}$${abs.toPrecision(2).replace(/0+$/, "").replace(/\.$/, "")}`;
}

/** An exact count with thousands separators: 1,234,567. */
export function formatCount(value: number): string {
  return GROUPED.format(Math.round(value));
}

/** A token count made short: 950, 12.3k, 4.56M, 1.2B. */
export function formatTokens(value: number): string {
  const abs = Math.abs(value);
  if (abs < 1000) return String(Math.round(value));
  for (const [limit, suffix] of [[1e9, "B"], [1e6, "M"], [1e3, "k"]] as const) {
    if (abs >= limit) {
      const scaled = value / limit;
      return `${
        scaled.toFixed(Math.abs(scaled) >= 100 ? 0 : Math.abs(scaled) >= 10 ? 1 : 2)
      }${suffix}`;
    }
  }
  return String(value);
}

/** A rate in tokens per second: 0, 3.4, 120, 1.2k. */
export function formatRate(perSecond: number): string {
  if (perSecond < 10) return perSecond.toFixed(perSecond === 0 ? 0 : 1);
  return formatTokens(perSecond);
}

/** A share as a percentage, "—" when there is nothing to divide. */
export function formatPercent(part: number, whole: number): string {
  if (!whole) return "—";
  const percent = (part / whole) * 100;
  return `${percent >= 10 || percent === 0 ? percent.toFixed(0) : percent.toFixed(1)}%`;
}

/** A duration: 850 ms, 2.4 s, 3 min 5 s, 2 h 10 min. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 60) return `${minutes} min ${Math.floor((ms % 60_000) / 1000)} s`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ${minutes % 60} min`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

/** How long ago `ts` was, as of `now`: "just now", "42 s ago", "5 min ago", "3 h ago", a date. */
export function formatAgo(ts: number, now: number): string {
  const seconds = Math.max(0, Math.round((now - ts) / 1000));
  if (seconds < 5) return "just now";
  if (seconds < 60) return `${seconds} s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)} h ago`;
  return formatDate(ts);
}

/** Local time of day, 24-hour: 14:05:09. */
export function formatTime(ts: number): string {
  const d = new Date(ts);
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map(pad2).join(":");
}

/** Local calendar date: 2026-11-27. */
export function formatDate(ts: number): string {
  const d = new Date(ts);
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())}`;
}

/** Local date and time: 2026-11-27 14:05. */
export function formatDateTime(ts: number): string {
  const d = new Date(ts);
  return `${formatDate(ts)} ${pad2(d.getHours())}:${pad2(d.getMinutes())}`;
}

/** A provider id as people write it. */
export function providerLabel(provider: string): string {
  return PROVIDER_LABELS[provider] ?? provider;
}

const PROVIDER_LABELS: Record<string, string> = {
  openai: "OpenAI",
  anthropic: "Anthropic",
  google: "Google Gemini",
  cursor: "Cursor",
  claude_ai: "claude.ai",
  custom: "Custom",
};

/**
 * The top of a gauge's scale: the smallest 1, 2 or 5 × 10ⁿ at or above `value` (and at least
 * `floor`), so the arc shows a proportion that stays put until the value outgrows it.
 */
export function niceCeiling(value: number, floor: number): number {
  const target = Math.max(value, floor);
  const power = 10 ** Math.floor(Math.log10(target));
  for (const step of [1, 2, 5, 10]) if (step * power >= target) return step * power;
  return 10 * power;
}

function pad2(n: number): string {
  return String(n).padStart(2, "0");
}
