// The user's saved configuration, LUMEN_HOME/config.json: custom hosts and settings.
// Changes are serialized and written atomically; a file Lumen cannot read is never overwritten.
import { ConfigError, messageOf } from "./config.ts";
import { readTextIfExists, writeAtomically } from "./files.ts";
import type { Settings } from "./types.ts";

export type { Settings };

/** The outcome of a settings change: every setting after it, or why it was refused. */
export type SettingsUpdate = { ok: true; settings: Settings } | { ok: false; reason: string };

/** Each setting's default and check; a check returns why a value is wrong, or null. */
const SETTING_RULES: {
  [K in keyof Settings]: { default: Settings[K]; check(value: unknown): string | null };
} = {
  include_stream_usage: {
    default: true,
    check: (value) => typeof value === "boolean" ? null : "must be true or false",
  },
  retention_days: {
    default: null,
    check: (value) =>
      value === null || (Number.isSafeInteger(value) && (value as number) >= 1)
        ? null
        : "must be null (keep forever) or a whole number of days, at least 1",
  },
  setup_done: {
    default: false,
    check: (value) => typeof value === "boolean" ? null : "must be true or false",
  },
  // The DataGrout toggles' defaults are a guess until DataGrout confirms its own.
  dg_tools_visible: {
    default: true,
    check: (value) => typeof value === "boolean" ? null : "must be true or false",
  },
  dg_intelligent_interface: {
    default: false,
    check: (value) => typeof value === "boolean" ? null : "must be true or false",
  },
  budgets: {
    default: Object.freeze({ daily_usd: null, weekly_usd: null, monthly_usd: null, lap_usd: null }),
    check: checkBudgets,
  },
  budget_thresholds: {
    default: Object.freeze([50, 80, 100]) as number[],
    check: checkThresholds,
  },
  block_at_limit: {
    default: false,
    check: (value) => typeof value === "boolean" ? null : "must be true or false",
  },
};

const BUDGET_KEYS = ["daily_usd", "weekly_usd", "monthly_usd", "lap_usd"];

function checkBudgets(value: unknown): string | null {
  const shape = `must be an object of ${BUDGET_KEYS.join(", ")}, each null or an amount above 0`;
  if (!isObject(value)) return shape;
  for (const [key, limit] of Object.entries(value)) {
    if (!BUDGET_KEYS.includes(key)) return `${shape} ("${key}" is not one)`;
    if (limit !== null && !(typeof limit === "number" && Number.isFinite(limit) && limit > 0)) {
      return shape;
    }
  }
  return null;
}

function checkThresholds(value: unknown): string | null {
  return Array.isArray(value) && value.length <= 10 &&
      value.every((t) => typeof t === "number" && Number.isFinite(t) && t > 0 && t <= 1000)
    ? null
    : "must be a list of at most 10 percentages, each above 0 and at most 1000";
}

/** Every setting at its default. */
export const DEFAULT_SETTINGS: Readonly<Settings> = Object.freeze(
  Object.fromEntries(
    Object.entries(SETTING_RULES).map(([key, rule]) => [key, rule.default]),
  ) as unknown as Settings,
);

const FILE_VERSION = 1;

interface FileState {
  hosts: readonly string[];
  settings: Readonly<Settings>;
  /** Keys this version does not know, kept so a newer Lumen's additions survive a rewrite. */
  extra: Readonly<Record<string, unknown>>;
  extraSettings: Readonly<Record<string, unknown>>;
}

/** Checks a partial settings object key by key: the reason naming the first bad key, or null. */
export function checkSettingsPatch(patch: Record<string, unknown>): string | null {
  for (const [key, value] of Object.entries(patch)) {
    if (!Object.hasOwn(SETTING_RULES, key)) return `Unknown setting "${key}"`;
    const problem = SETTING_RULES[key as keyof Settings].check(value);
    if (problem) return `Setting "${key}" ${problem}`;
  }
  return null;
}

/** LUMEN_HOME/config.json, loaded once; every change is saved before it takes effect. */
export class ConfigFile {
  /** Path of config.json. */
  readonly path: string;
  #state: FileState;
  #queue: Promise<unknown> = Promise.resolve();

  /** Parses `text` (null: no file yet); throws ConfigError naming `path` when it is unusable. */
  constructor(path: string, text: string | null) {
    this.path = path;
    this.#state = text === null ? defaultState() : parseState(path, text);
  }

  /** Custom hosts as saved (not validated here; the host registry does that). */
  get hosts(): readonly string[] {
    return this.#state.hosts;
  }

  /** Every setting. */
  get settings(): Readonly<Settings> {
    return this.#state.settings;
  }

  /** Replaces the custom hosts with `change(current)`, computed after earlier changes are saved. */
  updateHosts(change: (hosts: readonly string[]) => readonly string[]): Promise<void> {
    return this.#update((state) => {
      const hosts = change(state.hosts);
      return hosts === state.hosts ? state : { ...state, hosts: Object.freeze([...hosts]) };
    });
  }

  /** Checks and saves a partial settings object; rejects only when saving failed. */
  async updateSettings(patch: Record<string, unknown>): Promise<SettingsUpdate> {
    const reason = checkSettingsPatch(patch);
    if (reason) return { ok: false, reason };
    await this.#update((state) => {
      const same = Object.entries(patch).every(([key, value]) =>
        state.settings[key as keyof Settings] === value
      );
      return same ? state : { ...state, settings: Object.freeze({ ...state.settings, ...patch }) };
    });
    return { ok: true, settings: this.#state.settings };
  }

  /**
   * Runs `change` once every earlier change is saved, so none is computed from stale state, then
   * saves its result; the new state is kept only after the write succeeded.
   */
  #update(change: (state: FileState) => FileState): Promise<void> {
    const run = this.#queue.then(async () => {
      const next = change(this.#state);
      if (next === this.#state) return;
      await writeAtomically(this.path, serialize(next), 0o600).catch((error) => {
        throw new Error(`Cannot save ${this.path}: ${messageOf(error)}`);
      });
      this.#state = next;
    });
    // A failed change is reported to its caller and must not block the changes queued after it.
    this.#queue = run.catch(() => {});
    return run;
  }
}

/** Loads `home`/config.json; defaults when there is none yet (written on the first change). */
export function openConfigFile(home: string): ConfigFile {
  const path = `${home}/config.json`;
  try {
    return new ConfigFile(path, readTextIfExists(path));
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(`Cannot read ${path}: ${messageOf(error)}`);
  }
}

function defaultState(): FileState {
  return { hosts: Object.freeze([]), settings: DEFAULT_SETTINGS, extra: {}, extraSettings: {} };
}

function parseState(path: string, text: string): FileState {
  const fail = (problem: string) =>
    new ConfigError(
      `Cannot load ${path}: ${problem}; fix it, or delete it to start from the default settings`,
    );
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw fail(`it is not valid JSON (${messageOf(error)})`);
  }
  if (!isObject(data)) throw fail("it must hold a JSON object");
  const { version = FILE_VERSION, hosts = [], settings = {}, ...extra } = data;
  if (typeof version === "number" && version > FILE_VERSION) {
    throw new ConfigError(
      `Cannot load ${path}: it was written by a newer Lumen (version ${version}); upgrade Lumen, ` +
        `or delete it to start from the default settings`,
    );
  }
  if (version !== FILE_VERSION) throw fail(`"version" must be ${FILE_VERSION}`);
  if (!Array.isArray(hosts) || !hosts.every((host): host is string => typeof host === "string")) {
    throw fail(`"hosts" must be a list of host names`);
  }
  if (!isObject(settings)) throw fail(`"settings" must be an object`);
  const known: Record<string, unknown> = {};
  const extraSettings: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(settings)) {
    if (Object.hasOwn(SETTING_RULES, key)) known[key] = value;
    else extraSettings[key] = value;
  }
  const problem = checkSettingsPatch(known);
  if (problem) throw fail(problem);
  return {
    hosts: Object.freeze(hosts),
    settings: Object.freeze({ ...DEFAULT_SETTINGS, ...known }),
    extra,
    extraSettings,
  };
}

function serialize(state: FileState): string {
  const data = {
    version: FILE_VERSION,
    hosts: state.hosts,
    settings: { ...state.extraSettings, ...state.settings },
    ...state.extra,
  };
  return `${JSON.stringify(data, null, 2)}\n`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
