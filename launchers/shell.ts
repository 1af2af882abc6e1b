// Renders variables as lines a shell evaluates (`eval "$(lumen env)"`). Pure. Every value is
// single-quoted, the one quoting in each shell that expands nothing, with that shell's escapes.
import type { Os } from "./definitions.ts";

/** Shells `lumen env` writes for. */
export type Shell = "bash" | "zsh" | "fish" | "powershell";

/** Every shell, in the order the usage text lists them. */
export const SHELLS: readonly Shell[] = ["bash", "zsh", "fish", "powershell"];

const NAME_REGEXP = /^[A-Za-z_][A-Za-z0-9_]*$/;
/**
 * PowerShell also ends a single-quoted string at the typographic single quotes (‘ ’ ‚ ‛), and
 * escapes each by doubling it, like the ASCII one (about_Quoting_Rules).
 */
const POWERSHELL_QUOTES_REGEXP = /['\u2018\u2019\u201A\u201B]/g;

/** `value` as one single-quoted word of `shell`. */
export function quoteFor(shell: Shell, value: string): string {
  if (value.includes("\0")) throw new TypeError("An environment value cannot contain NUL");
  switch (shell) {
    case "bash":
    case "zsh":
      // A quote cannot appear inside '…': close, add an escaped quote, reopen.
      return `'${value.replaceAll("'", `'\\''`)}'`;
    case "fish":
      // Inside '…' fish knows exactly two escapes: \' and \\.
      return `'${value.replaceAll("\\", "\\\\").replaceAll("'", "\\'")}'`;
    case "powershell":
      return `'${value.replace(POWERSHELL_QUOTES_REGEXP, (quote) => quote + quote)}'`;
  }
}

/** One line per variable that sets and exports it in `shell`, each ending in a newline. */
export function renderEnv(shell: Shell, env: Record<string, string>): string {
  let text = "";
  for (const [name, value] of Object.entries(env)) {
    if (!NAME_REGEXP.test(name)) throw new TypeError(`Invalid environment variable name "${name}"`);
    const quoted = quoteFor(shell, value);
    if (shell === "fish") text += `set -gx ${name} ${quoted}\n`;
    else if (shell === "powershell") text += `$env:${name} = ${quoted}\n`;
    else text += `export ${name}=${quoted}\n`;
  }
  return text;
}

/** The shell the user most likely runs: PowerShell on Windows, else $SHELL's name, else bash. */
export function defaultShell(os: Os, shellPath: string | undefined): Shell {
  if (os === "windows") return "powershell";
  const name = shellPath?.split("/").pop() ?? "";
  if (name === "pwsh") return "powershell";
  return isShell(name) ? name : "bash";
}

/** Whether `name` is a shell `lumen env` writes for. */
export function isShell(name: string): name is Shell {
  return (SHELLS as readonly string[]).includes(name);
}
