// A stand-in for a team sync server's ingest API (README "Team sync: the ingest API") on loopback:
// records every request, keeps each Idempotency-Key once (a repeat answers 409), checks the bearer
// token, and can be told to answer the next requests with 429/5xx/409/…, or be stopped and started
// again on the same port. Test support only.

/** One request as the stand-in saw it. */
export interface IngestRequest {
  method: string;
  path: string;
  key: string | null;
  authorization: string | null;
  // deno-lint-ignore no-explicit-any
  body: any;
  /** performance.now() when it arrived. */
  at: number;
  status: number;
}

/** A scripted answer. */
export interface PlannedAnswer {
  status: number;
  headers?: Record<string, string>;
}

/** A running stand-in. */
export interface IngestServer {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  readonly port: number;
  readonly requests: IngestRequest[];
  /** Accepted deliveries by Idempotency-Key, each once (a repeat is answered 409, not kept). */
  readonly accepted: Map<string, IngestRequest>;
  /**
   * How long an accepted delivery waits before its answer, so a client killed meanwhile has been
   * delivered without knowing it (the case the Idempotency-Key is for). Default 0.
   */
  answerDelayMs: number;
  /** The last settings document PUT. */
  // deno-lint-ignore no-explicit-any
  settings: any;
  /** Answers the next requests with `answers`, in order, without accepting them. */
  plan(...answers: PlannedAnswer[]): void;
  /** Stops listening (connections are refused) until start(). */
  stop(): Promise<void>;
  /** Listens again on the same port. */
  start(): void;
  /** Event ids across accepted deliveries, with how many times each was delivered. */
  eventCounts(): Map<string, number>;
  close(): Promise<void>;
}

/** Starts the stand-in; only `Authorization: Bearer <token>` is accepted. */
export function startIngestServer(options: { token: string; port?: number }): IngestServer {
  const requests: IngestRequest[] = [];
  const accepted = new Map<string, IngestRequest>();
  const planned: PlannedAnswer[] = [];
  let server: Deno.HttpServer<Deno.NetAddr> | null = null;
  let port = options.port ?? 0;

  async function handle(req: Request): Promise<Response> {
    const url = new URL(req.url);
    const text = await req.text();
    const record: IngestRequest = {
      method: req.method,
      path: url.pathname,
      key: req.headers.get("idempotency-key"),
      authorization: req.headers.get("authorization"),
      body: text ? JSON.parse(text) : null,
      at: performance.now(),
      status: 0,
    };
    requests.push(record);
    const answer = (status: number, headers: Record<string, string> = {}) => {
      record.status = status;
      return new Response(status === 204 ? null : JSON.stringify({ status }), {
        status,
        headers,
      });
    };
    const next = planned.shift();
    if (next) return answer(next.status, next.headers);
    if (record.authorization !== `Bearer ${options.token}`) return answer(401);
    if (req.method === "PUT" && url.pathname === "/lumen/v1/settings") {
      stand.settings = record.body;
      return answer(204);
    }
    const known = ["/lumen/v1/events", "/lumen/v1/laps"];
    if (req.method !== "POST" || !known.includes(url.pathname)) return answer(404);
    if (!record.key) return answer(400);
    if (accepted.has(record.key)) return answer(409);
    accepted.set(record.key, record);
    if (stand.answerDelayMs > 0) {
      await new Promise((resolve) => setTimeout(resolve, stand.answerDelayMs));
    }
    return answer(202);
  }

  function listen(): void {
    server = Deno.serve({ hostname: "127.0.0.1", port, onListen() {} }, handle);
    port = server.addr.port;
  }

  const stand: IngestServer = {
    get origin() {
      return `http://127.0.0.1:${port}`;
    },
    get port() {
      return port;
    },
    requests,
    accepted,
    answerDelayMs: 0,
    settings: null,
    plan(...answers) {
      planned.push(...answers);
    },
    async stop() {
      const running = server;
      server = null;
      await running?.shutdown();
    },
    start() {
      if (!server) listen();
    },
    eventCounts() {
      const counts = new Map<string, number>();
      for (const delivery of accepted.values()) {
        if (delivery.path !== "/lumen/v1/events") continue;
        for (const event of delivery.body.events) {
          counts.set(event.id, (counts.get(event.id) ?? 0) + 1);
        }
      }
      return counts;
    },
    async close() {
      await stand.stop();
    },
  };
  listen();
  return stand;
}
