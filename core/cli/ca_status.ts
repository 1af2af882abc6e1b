// `lumen ca status`: the CA's facts and whether the system trusts it, found by a real TLS handshake
// through the running proxy (core/trust/check.ts) rather than by looking for files.
import type { CaStatus, Health } from "../api/types.ts";
import { ConfigError } from "../config.ts";
import {
  CHECK_HOST,
  checkTrust,
  type CheckTrustOptions,
  type DetectedTarget,
  detectTrustTarget,
  type HandshakeResult,
  isRoot,
  OWN_STORE_NOTE,
  planTrust,
  readTrustFacts,
  renderCommand,
} from "../trust/mod.ts";
import { callApi } from "./api_client.ts";

/** What `lumen ca status` works with; the optional parts are replaced in tests. */
export interface CaStatusDeps {
  home: string;
  apiPort: number;
  /** How to start this program again for the handshake child (selfCommand()). */
  self: string[];
  detect?: () => DetectedTarget;
  isRoot?: () => boolean;
  check?: (options: CheckTrustOptions) => Promise<HandshakeResult>;
  log?: (line: string) => void;
  error?: (line: string) => void;
}

/** Prints the CA and its trust verdict; exit code 0 trusted, 1 not trusted, 2 could not check. */
export async function runCaStatus(deps: CaStatusDeps): Promise<number> {
  const log = deps.log ?? console.log;
  let ca: CaStatus;
  let proxyPort: number;
  try {
    proxyPort = (await callApi(deps.apiPort, "GET", "/api/health") as Health).proxy_port;
    ca = await callApi(deps.apiPort, "GET", "/api/ca");
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    // The file still tells what the CA is; only the check needs the daemon.
    await printFileFacts(`${deps.home}/ca.pem`, log);
    log(`Trust     could not check: ${error.message}`);
    return 2;
  }
  printFacts(ca, log);
  const result = await (deps.check ?? checkTrust)({ proxyPort, self: deps.self });
  if (result.trusted === true) {
    log(`Trust     trusted: the system trust store accepted Lumen's certificate for ${CHECK_HOST}`);
    return 0;
  }
  if (result.trusted === null) {
    log(`Trust     could not check: ${result.error}`);
    return 2;
  }
  log(
    `Trust     NOT trusted: the system trust store refused Lumen's certificate (${result.error})`,
  );
  log("");
  const root = (deps.isRoot ?? isRoot)();
  for (const line of fixLines(ca.cert_path, deps.detect ?? detectTrustTarget, root)) log(line);
  return 1;
}

function printFacts(ca: CaStatus, log: (line: string) => void): void {
  log(`CA        ${ca.cert_path}`);
  log(`Subject   ${ca.subject}`);
  log(`SHA-256   ${ca.fingerprint_sha256}`);
  log(`Expires   ${expiry(ca.not_after)}`);
}

async function printFileFacts(path: string, log: (line: string) => void): Promise<void> {
  let facts;
  try {
    facts = await readTrustFacts(path);
  } catch (error) {
    const why = error instanceof Deno.errors.NotFound
      ? "not created yet (Lumen creates it at first start)"
      : `unreadable (${error instanceof Error ? error.message : error})`;
    log(`CA        ${path}: ${why}`);
    return;
  }
  printFacts({
    cert_path: path,
    subject: facts.subject,
    fingerprint_sha256: facts.fingerprintSha256,
    not_after: facts.notAfter.getTime(),
    trusted: null,
    checked_at: null,
    trust_error: null,
  }, log);
}

/** How to fix an untrusted CA: the command, then what it runs on this system. */
function fixLines(caPath: string, detect: () => DetectedTarget, root: boolean): string[] {
  const lines = ["To trust it, run: lumen ca trust"];
  const detected = detect();
  if (detected.target) {
    const plan = planTrust(detected.target, { path: caPath });
    lines.push("which runs:");
    for (const argv of plan.commands) {
      const sudo = plan.needsRoot && !root;
      lines.push(`  ${renderCommand(argv, { windows: detected.target.os === "windows", sudo })}`);
    }
  } else {
    lines.push(`(${detected.problem}: add ${caPath} to the system's trust anchors by hand)`);
  }
  lines.push(OWN_STORE_NOTE.replace("<ca.pem>", caPath));
  return lines;
}

function expiry(notAfter: number): string {
  const days = Math.floor((notAfter - Date.now()) / 86_400_000);
  const date = new Date(notAfter).toISOString().slice(0, 10);
  return days < 0 ? `${date} (expired)` : `${date} (in ${days} days)`;
}
