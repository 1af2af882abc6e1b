// Reads a process's memory, CPU time and open descriptors from Linux /proc, for the benchmarks.
// Every reader answers NaN where /proc is missing (macOS, Windows), so a run there still prints
// its latency and throughput figures with these cells left empty.

/**
 * Ticks per second of `utime`/`stime` in /proc/<pid>/stat: USER_HZ, which Linux fixes at 100 for
 * userspace whatever the kernel's own HZ is.
 */
const CLOCK_TICKS = 100;
/** Bounds the walk down a process tree (nginx's master has one worker here). */
const MAX_TREE = 64;

/** `pid` and every live process below it (nginx's master and its workers). */
export async function processTree(pid: number): Promise<number[]> {
  const parents = new Map<number, number[]>();
  try {
    for await (const entry of Deno.readDir("/proc")) {
      if (!/^\d+$/.test(entry.name)) continue;
      const stat = await readStat(Number(entry.name));
      if (!stat) continue;
      const children = parents.get(stat.ppid) ?? [];
      children.push(Number(entry.name));
      parents.set(stat.ppid, children);
    }
  } catch {
    return [pid]; // no /proc: the readers below answer NaN anyway
  }
  const tree = [pid];
  for (let i = 0; i < tree.length && tree.length < MAX_TREE; i++) {
    tree.push(...(parents.get(tree[i]) ?? []));
  }
  return tree;
}

/** Peak resident set (VmHWM) summed over `pids`, in MB (MiB). */
export function peakRssMb(pids: number[]): Promise<number> {
  return sumStatus(pids, "VmHWM");
}

/** Current resident set (VmRSS) summed over `pids`, in MB (MiB). */
export function rssMb(pids: number[]): Promise<number> {
  return sumStatus(pids, "VmRSS");
}

/** User plus system CPU time summed over `pids`, in ms. */
export async function cpuMs(pids: number[]): Promise<number> {
  let ticks = 0;
  for (const pid of pids) {
    const stat = await readStat(pid);
    if (!stat) return NaN;
    ticks += stat.utime + stat.stime;
  }
  return ticks * 1000 / CLOCK_TICKS;
}

/** Open file descriptors of `pid` (entries of /proc/<pid>/fd). */
export async function openFds(pid: number): Promise<number> {
  let count = 0;
  try {
    for await (const _ of Deno.readDir(`/proc/${pid}/fd`)) count++;
  } catch {
    return NaN;
  }
  return count;
}

async function sumStatus(pids: number[], field: "VmHWM" | "VmRSS"): Promise<number> {
  let kb = 0;
  for (const pid of pids) {
    const status = await Deno.readTextFile(`/proc/${pid}/status`).catch(() => "");
    const value = status.match(new RegExp(`^${field}:\\s+(\\d+) kB`, "m"))?.[1];
    if (value === undefined) return NaN;
    kb += Number(value);
  }
  return kb / 1024;
}

async function readStat(
  pid: number,
): Promise<{ ppid: number; utime: number; stime: number } | null> {
  const text = await Deno.readTextFile(`/proc/${pid}/stat`).catch(() => null);
  if (text === null) return null;
  // The command name sits in parentheses and may hold spaces or ")": fields start after the last.
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
  // fields[0] is field 3 (state) of proc(5): ppid is field 4, utime 14, stime 15.
  return { ppid: Number(fields[1]), utime: Number(fields[11]), stime: Number(fields[12]) };
}
