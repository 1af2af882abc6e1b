// Test support: a strict reader of the Prometheus text format 0.0.4, to parse /metrics back.

/** One sample line. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** What a scrape holds: samples, and HELP/TYPE by metric family. */
export interface Exposition {
  samples: Sample[];
  types: Record<string, string>;
  help: Record<string, string>;
}

const SAMPLE_REGEXP = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})? (\S+)$/;
const LABEL_REGEXP = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(,|$)/y;

/** Parses `text`, throwing SyntaxError on any line that is not valid exposition format. */
export function parseExposition(text: string): Exposition {
  const out: Exposition = { samples: [], types: {}, help: {} };
  if (!text.endsWith("\n")) throw new SyntaxError("The exposition must end with a line feed");
  for (const line of text.slice(0, -1).split("\n")) {
    const meta = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line);
    if (meta) {
      if (meta[1] === "TYPE") {
        if (out.types[meta[2]]) throw new SyntaxError(`Second TYPE for ${meta[2]}`);
        if (!/^(counter|gauge|histogram|summary|untyped)$/.test(meta[3])) {
          throw new SyntaxError(`Bad type in "${line}"`);
        }
        out.types[meta[2]] = meta[3];
      } else {
        out.help[meta[2]] = meta[3].replace(/\\(n|\\)/g, (_m, c) => c === "n" ? "\n" : "\\");
      }
      continue;
    }
    const match = SAMPLE_REGEXP.exec(line);
    if (!match) throw new SyntaxError(`Bad line "${line}"`);
    const labels: Record<string, string> = {};
    if (match[2]) {
      const inner = match[2].slice(1, -1);
      LABEL_REGEXP.lastIndex = 0;
      while (LABEL_REGEXP.lastIndex < inner.length) {
        const label = LABEL_REGEXP.exec(inner);
        if (!label) throw new SyntaxError(`Bad labels in "${line}"`);
        labels[label[1]] = label[2].replace(
          /\\(.)/g,
          (_m, c) => c === "n" ? "\n" : c === "\\" || c === '"' ? c : `\\${c}`,
        );
      }
    }
    const raw = match[3];
    const value = raw === "+Inf" ? Infinity : raw === "-Inf" ? -Infinity : Number(raw);
    if (Number.isNaN(value) && raw !== "NaN") throw new SyntaxError(`Bad value in "${line}"`);
    const family = match[1].replace(/_(bucket|sum|count)$/, "");
    if (!out.types[match[1]] && out.types[family] !== "histogram") {
      throw new SyntaxError(`Sample ${match[1]} before its TYPE line`);
    }
    out.samples.push({ name: match[1], labels, value });
  }
  return out;
}

/** The samples named `name` whose labels include `labels`. */
export function select(
  exposition: Exposition,
  name: string,
  labels: Record<string, string> = {},
): Sample[] {
  return exposition.samples.filter((sample) =>
    sample.name === name &&
    Object.entries(labels).every(([key, value]) => sample.labels[key] === value)
  );
}
