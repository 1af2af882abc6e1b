// `lumen ca trust|untrust|status [--print]`: puts Lumen's CA into the system trust store or takes
// it out (running the OS's own tools, or printing them), and checks that the system trusts it.
import {
  type DetectedTarget,
  detectTrustTarget,
  isRoot,
  OWN_STORE_NOTE,
  OWN_STORE_UNTRUST_NOTE,
  planTrust,
  planUntrust,
  readTrustFacts,
  renderCommand,
  runCommands,
  runHandshake,
  type RunResult,
  type TrustFacts,
  type TrustTarget,
} from "../trust/mod.ts";
import { START_COMMAND } from "./api_client.ts";
import { type CaStatusDeps, runCaStatus } from "./ca_status.ts";

/** What `lumen ca` works with; the optional parts are this machine's unless a test replaces them. */
export interface CaCommandDeps extends CaStatusDeps {
  /** LUMEN_HOME, which holds ca.pem. */
  home: string;
  run?: (commands: string[][]) => Promise<RunResult>;
}

const USAGE = "Usage: lumen ca trust [--print] | lumen ca untrust [--print] | lumen ca status";

/** Runs `lumen ca …` and returns the exit code (status: 0 trusted, 1 not trusted, 2 unknown). */
export async function runCa(args: string[], deps: CaCommandDeps): Promise<number> {
  const [command, ...rest] = args;
  // Hidden: the trust check's child process (see core/trust/check.ts).
  if (command === "handshake") return await runHandshake(rest);
  const print = rest.includes("--print");
  const unknown = rest.filter((arg) => arg !== "--print");
  const log = deps.log ?? console.log;
  const error = deps.error ?? console.error;
  if (unknown.length > 0 || (command === "status" && print)) {
    error(`Unknown argument "${unknown[0] ?? "--print"}" for lumen ca ${command}\n${USAGE}`);
    return 2;
  }
  switch (command) {
    case "trust":
    case "untrust":
      return await changeTrust(command, print, { ...deps, log, error });
    case "status":
      return await runCaStatus({ ...deps, log, error });
    default:
      error(command === undefined ? USAGE : `Unknown command "lumen ca ${command}"\n${USAGE}`);
      return 2;
  }
}

async function changeTrust(
  action: "trust" | "untrust",
  print: boolean,
  deps: CaCommandDeps & { log(line: string): void; error(line: string): void },
): Promise<number> {
  const caPath = `${deps.home}/ca.pem`;
  let facts: TrustFacts;
  try {
    facts = await readTrustFacts(caPath);
  } catch (error) {
    deps.error(
      error instanceof Deno.errors.NotFound
        ? `There is no CA at ${caPath} yet: start Lumen once (${START_COMMAND}) to create it`
        : `Cannot read the CA: ${error instanceof Error ? error.message : error}`,
    );
    return 1;
  }
  const detected: DetectedTarget = (deps.detect ?? detectTrustTarget)();
  if (!detected.target) {
    deps.error(
      `Cannot ${action} the CA here: ${detected.problem}. Add or remove ${caPath} in your ` +
        `system's trust store by hand (see README.md, "Trusting the CA")`,
    );
    return 1;
  }
  const target = detected.target;
  const plan = (action === "trust" ? planTrust : planUntrust)(target, facts);
  const sudo = plan.needsRoot && !(deps.isRoot ?? isRoot)();
  const lines = plan.commands.map((argv) =>
    renderCommand(argv, { windows: target.os === "windows", sudo })
  );
  if (print) {
    // Comment lines, so the output can be piped to a shell as it is.
    for (const line of lines) deps.log(line);
    deps.log(`# ${action === "trust" ? ownStoreNote(caPath) : OWN_STORE_UNTRUST_NOTE}`);
    return 0;
  }
  if (sudo) {
    deps.error(
      `${action === "trust" ? "Trusting" : "Untrusting"} a CA on Linux changes the system ` +
        `trust store, which needs root, and Lumen never runs sudo itself. Run:\n\n` +
        lines.map((line) => `  ${line}\n`).join(""),
    );
    return 1;
  }
  for (const line of lines) deps.log(`$ ${line}`);
  const result = await (deps.run ?? runCommands)(plan.commands);
  if (!result.ok) {
    deps.error(
      `Cannot ${action} the CA: ${result.message}${hintFor(result.failed, result.message)}`,
    );
    return 1;
  }
  if (action === "trust") {
    deps.log(
      `Lumen's CA (SHA-256 ${facts.fingerprintSha256}) is in the ${storeName(target)}. ` +
        `Check it with: lumen ca status`,
    );
    deps.log(ownStoreNote(caPath));
  } else {
    deps.log(`Lumen's CA is no longer in the ${storeName(target)}`);
    deps.log(OWN_STORE_UNTRUST_NOTE);
  }
  return 0;
}

/** Where the plan puts the CA, in words. */
export function storeName(target: TrustTarget): string {
  switch (target.os) {
    case "darwin":
      return "login keychain's trusted roots";
    case "windows":
      return "current user's trusted root store";
    case "linux":
      return "system trust store";
  }
}

/** The Firefox/Java note with the real path. */
export function ownStoreNote(caPath: string): string {
  return OWN_STORE_NOTE.replace("<ca.pem>", caPath);
}

/** Which package brings a missing Linux trust tool. */
function hintFor(failed: string[], message: string): string {
  if (!message.includes("not installed")) return "";
  const packages: Record<string, string> = {
    "update-ca-certificates": "ca-certificates",
    "update-ca-trust": "ca-certificates",
    trust: "p11-kit",
  };
  const name = packages[failed[0]];
  return name ? ` (it comes with the ${name} package)` : "";
}
