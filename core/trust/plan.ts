// What adding Lumen's CA to (or removing it from) the system trust store takes on each OS, as
// argument vectors. Pure: the caller detects the system and runs or prints the plan.

/** Linux distribution families whose trust store layout Lumen knows. */
export type LinuxFamily = "debian" | "fedora" | "arch";

/** The system whose trust store a plan changes. */
export type TrustTarget =
  /** `userHome` locates the login keychain: trust there needs no sudo (macOS asks in a dialog). */
  | { os: "darwin"; userHome: string }
  | { os: "linux"; family: LinuxFamily }
  | { os: "windows" };

/** The facts of the CA file a plan needs. */
export interface CaFile {
  /** Absolute path of ca.pem. */
  path: string;
  /** SHA-1 of the DER certificate, hex without separators: how macOS names a certificate. */
  sha1: string;
  /** Serial number in hex: how certutil names a certificate. */
  serial: string;
}

/** The commands to run, in order; `needsRoot` when they change system-wide files. */
export interface TrustPlan {
  commands: string[][];
  needsRoot: boolean;
}

/** Where Debian's update-ca-certificates picks up local CAs; the name must end in .crt. */
export const DEBIAN_ANCHOR = "/usr/local/share/ca-certificates/lumen-ca.crt";
/** Where Fedora's update-ca-trust picks up local anchors. */
export const FEDORA_ANCHOR = "/etc/pki/ca-trust/source/anchors/lumen-ca.pem";

/** Apps that ignore the system store, whatever the plan does: a note for the user. */
export const OWN_STORE_NOTE =
  "Firefox and Java keep their own trust stores: in Firefox, import the CA under Settings → " +
  "Privacy & Security → Certificates → View Certificates → Authorities (or set " +
  "security.enterprise_roots.enabled); for Java, `keytool -importcert -cacerts -alias lumen -file " +
  "<ca.pem>`";

/** The same reminder when the CA goes: the system store is not the only one that may hold it. */
export const OWN_STORE_UNTRUST_NOTE =
  "Firefox and Java keep their own trust stores: if you imported the CA there, remove it there " +
  "too (for Java: `keytool -delete -cacerts -alias lumen`)";

const ID_REGEXP = /^(ID|ID_LIKE)=(.*)$/;

/**
 * The trust store family of the Linux described by `osRelease` (the text of /etc/os-release),
 * from its ID and then its ID_LIKE words; null for a family Lumen does not know.
 */
export function linuxFamily(osRelease: string): LinuxFamily | null {
  const fields: Record<string, string[]> = { ID: [], ID_LIKE: [] };
  for (const line of osRelease.split(/\r?\n/)) {
    const match = line.trim().match(ID_REGEXP);
    // os-release values may be quoted (os-release(5)); the words are lowercase by spec.
    if (match) fields[match[1]] = match[2].replace(/^["']|["']$/g, "").toLowerCase().split(/\s+/);
  }
  for (const id of [...fields.ID, ...fields.ID_LIKE]) {
    if (id === "debian" || id === "ubuntu") return "debian";
    if (id === "fedora" || id === "rhel" || id === "centos") return "fedora";
    if (id === "arch") return "arch";
  }
  return null;
}

/** The commands that make `target` trust the CA in `ca` (only its path is needed). */
export function planTrust(target: TrustTarget, ca: Pick<CaFile, "path">): TrustPlan {
  switch (target.os) {
    case "darwin":
      return {
        commands: [[
          "security",
          "add-trusted-cert",
          "-r",
          "trustRoot",
          "-k",
          loginKeychain(target.userHome),
          ca.path,
        ]],
        needsRoot: false,
      };
    case "windows":
      // -user: the current user's Root store, no administrator needed; Windows asks to confirm.
      return { commands: [["certutil", "-user", "-addstore", "Root", ca.path]], needsRoot: false };
    case "linux":
      return { commands: linuxTrust(target.family, ca), needsRoot: true };
  }
}

/** The commands that make `target` stop trusting the CA in `ca`. */
export function planUntrust(target: TrustTarget, ca: CaFile): TrustPlan {
  switch (target.os) {
    case "darwin":
      // The trust setting first, then the certificate itself from the login keychain.
      return {
        commands: [
          ["security", "remove-trusted-cert", ca.path],
          ["security", "delete-certificate", "-Z", ca.sha1, loginKeychain(target.userHome)],
        ],
        needsRoot: false,
      };
    case "windows":
      return {
        commands: [["certutil", "-user", "-delstore", "Root", ca.serial]],
        needsRoot: false,
      };
    case "linux":
      return { commands: linuxUntrust(target.family, ca), needsRoot: true };
  }
}

function linuxTrust(family: LinuxFamily, ca: Pick<CaFile, "path">): string[][] {
  // install -m 644: world-readable whatever root's umask is, since every user's TLS reads it.
  switch (family) {
    case "debian":
      return [["install", "-m", "644", ca.path, DEBIAN_ANCHOR], ["update-ca-certificates"]];
    case "fedora":
      return [["install", "-m", "644", ca.path, FEDORA_ANCHOR], ["update-ca-trust"]];
    case "arch":
      return [["trust", "anchor", "--store", ca.path]];
  }
}

function linuxUntrust(family: LinuxFamily, ca: CaFile): string[][] {
  switch (family) {
    case "debian":
      // --fresh rebuilds /etc/ssl/certs from scratch, so no stale link to the removed CA remains.
      return [["rm", "-f", DEBIAN_ANCHOR], ["update-ca-certificates", "--fresh"]];
    case "fedora":
      return [["rm", "-f", FEDORA_ANCHOR], ["update-ca-trust"]];
    case "arch":
      return [["trust", "anchor", "--remove", ca.path]];
  }
}

function loginKeychain(userHome: string): string {
  return `${userHome.replace(/\/+$/, "")}/Library/Keychains/login.keychain-db`;
}

/**
 * `argv` as one line to paste into the target's usual shell (POSIX sh, or PowerShell/cmd on
 * Windows), with `sudo` in front when `sudo` is true.
 */
export function renderCommand(argv: string[], options: { windows?: boolean; sudo?: boolean }) {
  const quote = options.windows ? quoteWindows : quotePosix;
  return `${options.sudo ? "sudo " : ""}${argv.map(quote).join(" ")}`;
}

function quotePosix(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'"'"'`)}'`;
}

function quoteWindows(word: string): string {
  return /^[\w@%+=:,./\\-]+$/.test(word) ? word : `"${word.replaceAll('"', '""')}"`;
}
