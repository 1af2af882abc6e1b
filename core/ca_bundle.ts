// LUMEN_HOME/ca-bundle.pem: the system's root certificates plus Lumen's CA. SSL_CERT_FILE,
// REQUESTS_CA_BUNDLE and CURL_CA_BUNDLE replace a client's trust store rather than add to it, so
// pointing them at ca.pem alone would make every host but Lumen's untrusted.
import tls from "node:tls";
import { readTextIfExists, writeAtomically } from "./files.ts";

/** Where Linux distributions, macOS and the BSDs keep their PEM root bundle, most common first. */
export const SYSTEM_ROOT_FILES = [
  "/etc/ssl/certs/ca-certificates.crt", // Debian, Ubuntu, Arch, Alpine
  "/etc/pki/tls/certs/ca-bundle.crt", // Fedora, RHEL
  "/etc/ssl/cert.pem", // macOS, the BSDs
  "/etc/ssl/ca-bundle.pem", // openSUSE
];

/** The bundle's file name in LUMEN_HOME. */
export const CA_BUNDLE_NAME = "ca-bundle.pem";

/** What writeCaBundle() did. */
export interface CaBundleResult {
  path: string;
  /** False when the file already held exactly this bundle. */
  written: boolean;
  /** The system file the roots came from, or "node:tls" for Node's built-in list. */
  rootsFrom: string;
}

const CERT_REGEXP = /-----BEGIN CERTIFICATE-----/;

/**
 * Writes `home`/ca-bundle.pem from the system's roots and `caPem`, atomically, unless it already
 * holds exactly that: it follows both a CA that was replaced and a system store that was updated.
 * `rootFiles` replaces SYSTEM_ROOT_FILES (tests); with none readable, Node's bundled Mozilla list
 * is used (Windows has no PEM file to read).
 */
export async function writeCaBundle(
  home: string,
  caPem: string,
  options: { rootFiles?: string[] } = {},
): Promise<CaBundleResult> {
  if (!CERT_REGEXP.test(caPem)) throw new TypeError("Lumen's CA is not a PEM certificate");
  const path = `${home}/${CA_BUNDLE_NAME}`;
  const roots = systemRoots(options.rootFiles ?? SYSTEM_ROOT_FILES);
  const text = `# System roots (${roots.from}) followed by Lumen's CA; written by Lumen, which ` +
    `rewrites it when either changes\n${withNewline(roots.pem)}# Lumen's CA\n${withNewline(caPem)}`;
  if (readTextIfExists(path) === text) return { path, written: false, rootsFrom: roots.from };
  // Certificates only, all of them public: readable by the user's other tools.
  await writeAtomically(path, text, 0o644);
  return { path, written: true, rootsFrom: roots.from };
}

function systemRoots(files: string[]): { pem: string; from: string } {
  for (const file of files) {
    let text: string | null;
    try {
      text = readTextIfExists(file);
    } catch {
      // Unreadable (permissions, a directory): the next candidate may do.
      continue;
    }
    if (text !== null && CERT_REGEXP.test(text)) return { pem: text, from: file };
  }
  return { pem: tls.rootCertificates.join("\n"), from: "node:tls" };
}

function withNewline(text: string): string {
  return text.endsWith("\n") ? text : `${text}\n`;
}
