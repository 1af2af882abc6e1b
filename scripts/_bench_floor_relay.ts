// The benchmark's "floor" path: the least a relay built on Deno's node:http can do, with none of
// Lumen's work (no routing rules, taps, parsing, recording). Lumen's relay minus this is what
// Lumen's own code costs; this minus nginx is what the runtime costs.
// Usage: deno run --allow-net --allow-read _bench_floor_relay.ts <port> <upstream port> <CA file>
import http from "node:http";
import https from "node:https";
import { TlsAgent } from "../core/proxy/tls_socket.ts";

const [port, upstreamPort, caFile] = Deno.args;
const extraCaCerts = [await Deno.readTextFile(caFile)];

// Upstream connections made and pooled as Lumen's are.
const agent = new TlsAgent({ extraCaCerts, timeoutMs: 10_000 });

http.createServer((req, res) => {
  const upstream = https.request({
    agent,
    host: "127.0.0.1",
    port: Number(upstreamPort),
    method: req.method,
    path: req.url!.replace(/^\/openai/, ""),
    headers: { ...req.headers, host: `localhost:${upstreamPort}` },
  }, (answer) => {
    res.writeHead(answer.statusCode!, answer.rawHeaders);
    res.flushHeaders();
    answer.on("data", (chunk: Uint8Array) => {
      if (!res.write(chunk)) {
        answer.pause();
        res.once("drain", () => answer.resume());
      }
    });
    answer.once("end", () => res.end());
  });
  upstream.once("error", () => res.destroy());
  res.once("close", () => {
    if (!res.writableFinished) upstream.destroy(); // the client left mid-answer
  });
  req.pipe(upstream);
}).listen(Number(port), "127.0.0.1", () => console.log(`listening on ${port}`));
