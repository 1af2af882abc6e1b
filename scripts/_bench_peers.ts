// Starts the peers the benchmark measures Lumen against, each in the same shape as the Lumen mode
// it is compared with, in front of the same fake upstream:
// - nginx as a plain reverse proxy (like the relay): `http://127.0.0.1:PORT/openai/…` to the
//   upstream over verified TLS, unbuffered, HTTP/1.1 with a keep-alive pool. One worker, because
//   Lumen serves everything on one event loop too.
// - mitmdump as an intercepting HTTPS proxy (like proxy mode): clients CONNECT to api.openai.com,
//   it mints a leaf from its own CA and streams the bodies to the upstream.
// - the floor: a bare relay on Deno's node:http (_bench_floor_relay.ts), with Lumen's V8 flags.
// Each runs as the current user from its own temp dir (config, pid, logs, temp files), removed on
// stop; nothing under /etc is read or written.
import { fileURLToPath } from "node:url";
import { spawnCollecting } from "../tests/_spawn.ts";
import { startTaskFlags } from "./compile.ts";
import { freePorts, waitForListening } from "./_bench_net.ts";
import type { PeerName } from "./_bench_peer_install.ts";
import { processTree } from "./_bench_proc.ts";

/** A peer proxy running on 127.0.0.1. */
export interface Peer {
  name: PeerName;
  port: number;
  /** PEM of the CA a client must trust for the peer's leaves (mitmdump), else null. */
  caPem: string | null;
  /** The started process and, for nginx, its worker. */
  pids(): Promise<number[]>;
  /** Everything the peer printed so far. */
  output(): string;
  /** Stops every process of the peer and removes its temp dir. */
  stop(): Promise<void>;
}

/** Where the peers send requests. */
export interface PeerUpstream {
  port: number;
  /** PEM file of the CA that signed the upstream's certificate (for localhost and 127.0.0.1). */
  caFile: string;
}

const START_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 5_000;
/** Keep-alive connections nginx keeps to the upstream: one per client connection at most. */
const UPSTREAM_POOL = 32;

/** Starts nginx (binary at `binary`) as a reverse proxy to `upstream`. */
export async function startNginx(binary: string, upstream: PeerUpstream): Promise<Peer> {
  const dir = await Deno.makeTempDir({ prefix: "lumen-bench-nginx-" });
  const [port] = freePorts(1);
  // As root, the master would hand the worker to `nobody`: keep it the current user.
  const user = Deno.uid() === 0 ? "user root;" : "";
  // keepalive_requests: nginx otherwise closes a connection after 1000 requests, which neither
  // Lumen nor the direct path does, and the latency phase sends more than that on one.
  const config = `
${user}
worker_processes 1;
daemon off;
master_process on;
pid ${dir}/nginx.pid;
lock_file ${dir}/nginx.lock;
error_log stderr warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  keepalive_requests 1000000;
  upstream fake {
    server 127.0.0.1:${upstream.port};
    keepalive ${UPSTREAM_POOL};
    keepalive_requests 1000000;
  }
  server {
    listen 127.0.0.1:${port};
    location /openai/ {
      proxy_pass https://fake/;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_buffering off;
      proxy_request_buffering off;
      proxy_ssl_verify on;
      proxy_ssl_name localhost;
      proxy_ssl_trusted_certificate ${upstream.caFile};
    }
  }
}
`;
  await Deno.writeTextFile(`${dir}/nginx.conf`, config);
  return await launch("nginx", dir, port, {
    binary,
    args: ["-p", `${dir}/`, "-c", `${dir}/nginx.conf`, "-e", "stderr"],
    caFile: null,
  });
}

/** Starts mitmdump (binary at `binary`) intercepting TLS and connecting to `upstream`. */
export async function startMitmdump(binary: string, upstream: PeerUpstream): Promise<Peer> {
  const dir = await Deno.makeTempDir({ prefix: "lumen-bench-mitmdump-" });
  const [port] = freePorts(1);
  // Lumen reaches the fake upstream through LUMEN_UPSTREAM_OVERRIDES; mitmproxy's way is to
  // change the address as it connects (map_remote alone still resolves the CONNECT host first).
  await Deno.writeTextFile(
    `${dir}/redirect.py`,
    `def server_connect(data):\n    data.server.address = ("127.0.0.1", ${upstream.port})\n`,
  );
  return await launch("mitmdump", dir, port, {
    binary,
    args: [
      "--listen-host",
      "127.0.0.1",
      "--listen-port",
      String(port),
      "--set",
      `confdir=${dir}`,
      // The fake upstream's certificate names 127.0.0.1 and localhost, not api.openai.com.
      "--set",
      "ssl_insecure=true",
      // Stream every body instead of buffering it whole, as Lumen does.
      "--set",
      "stream_large_bodies=1",
      "--set",
      "flow_detail=0",
      "--set",
      "termlog_verbosity=warn",
      "-s",
      `${dir}/redirect.py`,
    ],
    caFile: `${dir}/mitmproxy-ca-cert.pem`,
  });
}

/** Starts the bare Deno relay (`binary` is this Deno) in front of `upstream`. */
export async function startFloor(binary: string, upstream: PeerUpstream): Promise<Peer> {
  const dir = await Deno.makeTempDir({ prefix: "lumen-bench-floor-" });
  const [port] = freePorts(1);
  const script = fileURLToPath(new URL("./_bench_floor_relay.ts", import.meta.url));
  return await launch("floor", dir, port, {
    binary,
    args: [
      "run",
      "--allow-net",
      "--allow-read",
      ...startTaskFlags().filter((flag) => flag.startsWith("--v8-flags=")), // Lumen's GC settings
      script,
      String(port),
      String(upstream.port),
      upstream.caFile,
    ],
    caFile: null,
  });
}

async function launch(
  name: PeerName,
  dir: string,
  port: number,
  options: { binary: string; args: string[]; caFile: string | null },
): Promise<Peer> {
  const { child, output, drained } = spawnCollecting(options.binary, {
    args: options.args,
    cwd: dir,
  });
  let stopping: Promise<void> | undefined;
  const stop = () =>
    stopping ??= (async () => {
      try {
        child.kill("SIGTERM"); // nginx's master ends its worker before it exits
      } catch {
        // Already exited.
      }
      const exited = await Promise.race([
        child.status.then(() => true),
        new Promise<false>((r) => setTimeout(() => r(false), STOP_TIMEOUT_MS)),
      ]);
      // Still alive, so the tree read now holds only its own processes.
      if (!exited) {
        for (const pid of (await processTree(child.pid)).reverse()) {
          try {
            Deno.kill(pid, "SIGKILL");
          } catch {
            // Gone already.
          }
        }
      }
      await child.status;
      await drained;
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    })();
  try {
    await waitForListening(port, { timeoutMs: START_TIMEOUT_MS, exited: child.status });
    const caPem = options.caFile ? await Deno.readTextFile(options.caFile) : null;
    return { name, port, caPem, pids: () => processTree(child.pid), output, stop };
  } catch (error) {
    await stop();
    throw new Error(`${name} did not start: ${(error as Error).message}\n${output().trim()}`);
  }
}

/**
 * Starts each peer found in `binaries` in front of `upstream`, at the same time; one that fails to
 * start is left out with a note, as a missing one is.
 */
export async function startPeers(
  binaries: Partial<Record<PeerName, string>>,
  upstream: PeerUpstream,
  notes: string[],
): Promise<Partial<Record<PeerName, Peer>>> {
  const starters: Record<PeerName, typeof startNginx> = {
    floor: startFloor,
    nginx: startNginx,
    mitmdump: startMitmdump,
  };
  const peers: Partial<Record<PeerName, Peer>> = {};
  await Promise.all(
    (Object.keys(starters) as PeerName[]).map(async (name) => {
      const binary = binaries[name];
      if (!binary) return;
      try {
        peers[name] = await starters[name](binary, upstream);
      } catch (error) {
        notes.push(`${name} skipped: ${(error as Error).message}`);
      }
    }),
  );
  return peers;
}
