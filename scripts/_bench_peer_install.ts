// Finds the peers the benchmark compares Lumen with (nginx, mitmproxy's mitmdump), and installs the
// missing ones from Debian when it can: as root, where apt-get exists. Otherwise the peer's column
// is skipped with a note; a missing peer never stops the benchmark. The floor (a bare relay on
// Deno's node:http) runs on this Deno.

/** The programs the benchmark runs beside Lumen. */
export type PeerName = "floor" | "nginx" | "mitmdump";

/** Debian package of each peer: nginx-light is the smallest nginx with the proxy module. */
const PACKAGES: Record<Exclude<PeerName, "floor">, string> = {
  nginx: "nginx-light",
  mitmdump: "mitmproxy",
};
/** nginx lives in sbin, which a non-root PATH often lacks. */
const EXTRA_DIRS = ["/usr/sbin", "/usr/local/sbin", "/sbin"];
/** An apt-get stuck on a lock or a slow mirror must not hold the benchmark forever. */
const APT_TIMEOUT_MS = 5 * 60_000;

/** Paths of the peers found (absent: skipped) and a note on each one missing. */
export interface PeerBinaries {
  paths: Partial<Record<PeerName, string>>;
  notes: string[];
}

/** Looks up nginx and mitmdump, installing the missing ones with apt-get when allowed. */
export async function findPeerBinaries(): Promise<PeerBinaries> {
  const names = Object.keys(PACKAGES) as (keyof typeof PACKAGES)[];
  const paths: Partial<Record<PeerName, string>> = { floor: Deno.execPath() };
  for (const name of names) {
    const found = await findBinary(name);
    if (found) paths[name] = found;
  }
  const missing = names.filter((name) => !paths[name]);
  if (missing.length === 0) return { paths, notes: [] };

  const packages = missing.map((name) => PACKAGES[name]).join(" ");
  const apt = await findBinary("apt-get");
  const why = Deno.uid() !== 0
    ? "not running as root"
    : !apt
    ? "apt-get not found"
    : await aptInstall(apt, missing.map((name) => PACKAGES[name]));
  for (const name of missing) {
    const found = await findBinary(name);
    if (found) paths[name] = found;
  }
  const notes = missing.filter((name) => !paths[name]).map((name) =>
    `${name} not found and not installed (${why}): its column is skipped. ` +
    `Install it with \`apt-get install -y ${packages}\` to compare against it.`
  );
  return { paths, notes };
}

/** Absolute path of an executable named `name` on PATH or in sbin, or null. */
export async function findBinary(name: string): Promise<string | null> {
  const dirs = (Deno.env.get("PATH") ?? "").split(":").filter(Boolean).concat(EXTRA_DIRS);
  for (const dir of dirs) {
    const path = `${dir}/${name}`;
    const info = await Deno.stat(path).catch(() => null);
    if (info?.isFile && (info.mode ?? 0o111) & 0o111) return path;
  }
  return null;
}

/** Runs apt-get update and install as .ci/run does; returns what to say of a peer still missing. */
async function aptInstall(apt: string, packages: string[]): Promise<string> {
  console.log(`bench: installing ${packages.join(", ")} with apt-get to compare against them`);
  for (const args of [["update", "-qq"], ["install", "-y", "-qq", ...packages]]) {
    const out = await new Deno.Command(apt, {
      args,
      env: { DEBIAN_FRONTEND: "noninteractive" },
      stdin: "null",
      signal: AbortSignal.timeout(APT_TIMEOUT_MS),
    }).output().catch((error) => ({ success: false, stderr: String(error) }));
    if (!out.success) {
      const stderr = typeof out.stderr === "string"
        ? out.stderr
        : new TextDecoder().decode(out.stderr);
      return `apt-get ${args[0]} failed: ${stderr.trim().split("\n").slice(-2).join(" ")}`;
    }
  }
  return "apt-get install ran but did not provide it";
}
