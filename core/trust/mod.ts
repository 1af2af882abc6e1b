// The system trust store and Lumen's CA: per-OS plans to trust or untrust it (pure), running
// them, and the real check (a TLS handshake through the running proxy, validated by the system
// store in a child process). Imports only core/tls's certificate facts and node:url; never the
// API, the proxy or the usage modules (main.ts wires the monitor into the API).
export { CHECK_TIMEOUT_MS, checkTrust, type CheckTrustOptions } from "./check.ts";
export {
  CHECK_HOST,
  classifyHandshakeError,
  type HandshakeResult,
  handshakeThroughProxy,
  runHandshake,
} from "./handshake.ts";
export { createTrustMonitor, type TrustCheck, TrustMonitor, type TrustVerdict } from "./monitor.ts";
export {
  type CaFile,
  DEBIAN_ANCHOR,
  FEDORA_ANCHOR,
  linuxFamily,
  OWN_STORE_NOTE,
  OWN_STORE_UNTRUST_NOTE,
  planTrust,
  planUntrust,
  renderCommand,
  type TrustPlan,
  type TrustTarget,
} from "./plan.ts";
export { runCommands, type RunResult } from "./run_commands.ts";
export { selfCommand } from "./self_command.ts";
export { type DetectedTarget, detectTrustTarget, isRoot } from "./target.ts";
export { readTrustFacts, type TrustFacts } from "../tls/trust_facts.ts";
