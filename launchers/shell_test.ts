// renderEnv() is only right if the shell reads back exactly what went in: bash, zsh and fish
// evaluate the lines here and print every variable back. PowerShell is parsed by pwsh when it is
// installed, and by an independent reader of its quoting rules always.
import assert from "node:assert/strict";
import { defaultShell, quoteFor, renderEnv } from "./shell.ts";

/** Values that break naive quoting in at least one shell. */
const TRICKY = [
  "plain",
  "",
  "with  two spaces",
  "it's",
  "''",
  "'",
  "$HOME `id` $(id) ${HOME} %PATH% !x! $env:PATH",
  "back\\slash\\",
  "\\'",
  "\\\\'\\",
  "new\nline\n",
  "tab\tand\r\ncrlf",
  "*?[a] ~ {a,b} # not a comment ; && || | > <",
  "unicode ✓ 日本語 émoji 🙂",
  "curly ‘single’ ‚low‛ “double” „low”",
  'double "quotes"',
  "http://127.0.0.1:9090/openai/v1",
];
const ENV = Object.fromEntries(TRICKY.map((value, i) => [`LUMEN_T${i}`, value]));
const NAMES = Object.keys(ENV);

async function has(program: string): Promise<boolean> {
  try {
    const out = await new Deno.Command(program, {
      args: ["--version"],
      stdout: "null",
      stderr: "null",
    })
      .output();
    return out.success;
  } catch {
    return false;
  }
}

/** Runs `program args…` with a clean environment and returns stdout; fails on a non-zero exit. */
async function run(program: string, args: string[]): Promise<string> {
  const out = await new Deno.Command(program, {
    args,
    clearEnv: true,
    env: { PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin", HOME: "/nonexistent", LANG: "C.UTF-8" },
    stdin: "null",
  }).output();
  const stderr = new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 0, `${program} failed: ${stderr}`);
  return new TextDecoder().decode(out.stdout);
}

/** Values printed NUL-separated, in NAMES order. */
function values(stdout: string): string[] {
  return stdout.split("\0").slice(0, -1);
}

async function withFile<T>(text: string, fn: (path: string) => Promise<T>): Promise<T> {
  const path = await Deno.makeTempFile({ suffix: ".env" });
  try {
    await Deno.writeTextFile(path, text);
    return await fn(path);
  } finally {
    await Deno.remove(path);
  }
}

Deno.test("renderEnv() bash lines, evaluated by bash, export exactly each value", async () => {
  const text = renderEnv("bash", ENV);
  assert.equal(text.split("\nexport ").length, NAMES.length);
  // `env -0` shows what a child sees: the variables are exported, not just set.
  const printed = await withFile(
    text,
    (file) => run("bash", ["-c", `source "$1" && exec env -0`, "bash", file]),
  );
  const seen = new Map(
    values(printed).map((entry) => {
      const eq = entry.indexOf("=");
      return [entry.slice(0, eq), entry.slice(eq + 1)];
    }),
  );
  for (const name of NAMES) assert.equal(seen.get(name), ENV[name], name);
  // eval "$(lumen env)" is how users run it: command substitution drops the last newline only.
  const evaluated = await run("bash", [
    "-c",
    `eval "$1" && for n in ${NAMES.join(" ")}; do printf '%s\\0' "\${!n}"; done`,
    "bash",
    text,
  ]);
  assert.deepEqual(values(evaluated), TRICKY);
});

Deno.test("renderEnv() zsh lines, evaluated by zsh when installed, read back exactly", async () => {
  const text = renderEnv("zsh", ENV);
  assert.equal(text, renderEnv("bash", ENV), "zsh takes the POSIX quoting bash does");
  if (!await has("zsh")) {
    console.log("zsh is not installed: its lines were checked as bash's only");
    return;
  }
  const printed = await run("zsh", [
    "-c",
    `eval "$1" && for n in ${NAMES.join(" ")}; do printf '%s\\0' "\${(P)n}"; done`,
    "zsh",
    text,
  ]);
  assert.deepEqual(values(printed), TRICKY);
});

Deno.test("renderEnv() fish lines, checked by fish -n and sourced when fish is installed", async () => {
  const text = renderEnv("fish", ENV);
  const lines = text.trimEnd().split(/\n(?=set -gx )/);
  assert.equal(lines.length, NAMES.length);
  for (const [i, line] of lines.entries()) {
    assert.match(line, /^set -gx LUMEN_T\d+ '(?:[^'\\]|\\['\\])*'$/s);
    assert.equal(readQuoted(line.slice(line.indexOf("'")), "fish"), TRICKY[i]);
  }
  if (!await has("fish")) {
    console.log("fish is not installed: its lines were checked structurally only");
    return;
  }
  await withFile(text, async (file) => {
    await run("fish", ["-n", file]);
    const printed = await run("fish", [
      "-c",
      `source $argv[1]; and for n in ${NAMES.join(" ")}; printf '%s\\0' $$n; end`,
      file,
    ]);
    // fish splits nothing when a variable holds one element, so each value comes back whole.
    assert.deepEqual(values(printed), TRICKY);
  });
});

Deno.test("renderEnv() PowerShell lines quote every value so that it reads back exactly", async () => {
  const text = renderEnv("powershell", ENV);
  const lines = text.trimEnd().split(/\n(?=\$env:)/);
  assert.equal(lines.length, NAMES.length);
  for (const [i, line] of lines.entries()) {
    const match = line.match(/^\$env:(LUMEN_T\d+) = ('.*')$/s);
    assert.ok(match, line);
    assert.equal(match[1], NAMES[i]);
    assert.equal(readQuoted(match[2], "powershell"), TRICKY[i]);
  }
  if (!await has("pwsh")) {
    console.log("pwsh is not installed: PowerShell lines were checked structurally only");
    return;
  }
  await withFile(text, async (file) => {
    const printed = await run("pwsh", [
      "-NoProfile",
      "-Command",
      `. '${file}'; foreach ($n in '${NAMES.join("','")}') { ` +
      `[Console]::Out.Write([Environment]::GetEnvironmentVariable($n) + [char]0) }`,
    ]);
    assert.deepEqual(values(printed), TRICKY);
  });
});

/**
 * Reads one single-quoted word by the shell's documented rules, independently of quoteFor():
 * fish knows the escapes \' and \\; PowerShell doubles each of ' ‘ ’ ‚ ‛ and ends at a lone one.
 */
function readQuoted(word: string, shell: "fish" | "powershell"): string {
  const quotes = shell === "fish" ? "'" : "'\u2018\u2019\u201A\u201B";
  assert.ok(quotes.includes(word[0]), `starts with a quote: ${word}`);
  let out = "";
  for (let i = 1; i < word.length; i++) {
    const c = word[i];
    if (shell === "fish" && c === "\\" && (word[i + 1] === "'" || word[i + 1] === "\\")) {
      out += word[++i];
    } else if (quotes.includes(c)) {
      const next = word[i + 1];
      if (shell === "powershell" && next !== undefined && quotes.includes(next)) out += word[++i];
      else {
        assert.equal(i, word.length - 1, `the string ends early in ${JSON.stringify(word)}`);
        return out;
      }
    } else out += c;
  }
  throw new assert.AssertionError({ message: `unterminated: ${word}` });
}

Deno.test("quoteFor() escapes typographic quotes for PowerShell and refuses NUL", () => {
  assert.equal(quoteFor("powershell", "a’b"), "'a’’b'");
  assert.equal(quoteFor("bash", "a'b"), "'a'\\''b'");
  assert.equal(quoteFor("fish", "a'b\\"), "'a\\'b\\\\'");
  assert.throws(() => quoteFor("bash", "a\0b"), TypeError);
  assert.throws(() => renderEnv("bash", { "BAD NAME": "x" }), /Invalid environment variable/);
  assert.throws(() => renderEnv("fish", { "1X": "x" }), TypeError);
});

Deno.test("defaultShell() picks PowerShell on Windows, else $SHELL's name, else bash", () => {
  assert.equal(defaultShell("windows", "/bin/zsh"), "powershell");
  assert.equal(defaultShell("darwin", "/bin/zsh"), "zsh");
  assert.equal(defaultShell("linux", "/usr/bin/fish"), "fish");
  assert.equal(defaultShell("linux", "/usr/bin/pwsh"), "powershell");
  assert.equal(defaultShell("linux", "/bin/tcsh"), "bash");
  assert.equal(defaultShell("linux", undefined), "bash");
});
