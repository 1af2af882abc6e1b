// Which trust store this machine has: the OS, and on Linux the distribution family.
import { linuxFamily, type TrustTarget } from "./plan.ts";

const OS_RELEASE_PATHS = ["/etc/os-release", "/usr/lib/os-release"];

/** This machine's trust store, or why Lumen cannot manage it. */
export type DetectedTarget = { target: TrustTarget } | { target: null; problem: string };

/** Detects this machine's trust store from Deno.build.os, HOME and os-release(5). */
export function detectTrustTarget(): DetectedTarget {
  switch (Deno.build.os) {
    case "darwin": {
      const userHome = Deno.env.get("HOME");
      if (!userHome) {
        return { target: null, problem: "HOME is not set, so the login keychain cannot be found" };
      }
      return { target: { os: "darwin", userHome } };
    }
    case "windows":
      return { target: { os: "windows" } };
    case "linux": {
      const text = readOsRelease();
      const family = text === null ? null : linuxFamily(text);
      if (family) return { target: { os: "linux", family } };
      const id = text?.match(/^ID=["']?([^"'\n]*)/m)?.[1] ?? "unknown";
      return {
        target: null,
        problem: `Lumen knows the trust stores of Debian/Ubuntu, Fedora/RHEL and Arch, not this ` +
          `Linux (ID=${id} in /etc/os-release)`,
      };
    }
    default:
      return { target: null, problem: `Lumen cannot manage the trust store of ${Deno.build.os}` };
  }
}

function readOsRelease(): string | null {
  for (const path of OS_RELEASE_PATHS) {
    try {
      return Deno.readTextFileSync(path);
    } catch {
      // Missing or unreadable: os-release(5) says to try the next path.
    }
  }
  return null;
}

/** Whether this process may write the system-wide trust anchors (root on Linux). */
export function isRoot(): boolean {
  return Deno.build.os === "windows" ? false : Deno.uid() === 0;
}
