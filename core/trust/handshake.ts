// The trust check's inside: CONNECT through Lumen's proxy to a host it intercepts, then a TLS
// handshake that validates Lumen's leaf against the root store this process was started with.
// It runs in a child started with DENO_TLS_CA_STORE=system (see check.ts), so that store is the
// system's. Nothing is sent after the handshake, so no request ever reaches the real host.

/** What one handshake found: `trusted` null when the check itself could not be made. */
export interface HandshakeResult {
  trusted: boolean | null;
  /** Why it is not trusted, or why the check could not be made; null when trusted. */
  error: string | null;
}

/** A host Lumen always intercepts, so the proxy answers with its own leaf for it. */
export const CHECK_HOST = "api.anthropic.com";

/** The handshake's own bound; the parent adds process start-up on top of it. */
export const HANDSHAKE_TIMEOUT_MS = 5_000;

const MAX_HEAD_BYTES = 8192;
/** rustls reports a rejected chain as "invalid peer certificate: UnknownIssuer" (or Expired, …). */
const CERTIFICATE_ERROR_REGEXP = /certificate|UnknownIssuer|UnknownCA|BadSignature|Expired/i;

/**
 * Opens a tunnel to `host`:443 through the proxy on 127.0.0.1:`port` and shakes hands with
 * whatever answers, validating its certificate against this process's root store.
 */
export async function handshakeThroughProxy(
  port: number,
  options: { host?: string; timeoutMs?: number } = {},
): Promise<HandshakeResult> {
  const host = options.host ?? CHECK_HOST;
  const timeoutMs = options.timeoutMs ?? HANDSHAKE_TIMEOUT_MS;
  let conn: Deno.Conn | undefined;
  let timedOut = false;
  // Closing the connection is what unblocks a pending read or handshake.
  const timer = setTimeout(() => {
    timedOut = true;
    closeQuietly(conn);
  }, timeoutMs);
  const unreachable = (why: string): HandshakeResult => ({
    trusted: null,
    error: timedOut
      ? `Lumen's proxy on 127.0.0.1:${port} did not finish a TLS handshake within ${
        timeoutMs / 1000
      } s`
      : why,
  });
  try {
    let tcp: Deno.TcpConn;
    try {
      conn = tcp = await Deno.connect({ hostname: "127.0.0.1", port });
    } catch (error) {
      return unreachable(
        `Cannot connect to Lumen's proxy on 127.0.0.1:${port} (${
          messageOf(error)
        }): is it running?`,
      );
    }
    const head = await exchangeConnect(tcp, host).catch((error) =>
      new Error(`The CONNECT to ${host}:443 through 127.0.0.1:${port} failed: ${messageOf(error)}`)
    );
    if (head instanceof Error) return unreachable(head.message);
    const status = head.split("\r\n", 1)[0];
    if (!/^HTTP\/1\.[01] 200\b/.test(status)) {
      return unreachable(`Lumen's proxy answered "${status}" to CONNECT ${host}:443`);
    }
    try {
      const tls = await Deno.startTls(tcp, { hostname: host });
      conn = tls;
      await tls.handshake();
      return { trusted: true, error: null };
    } catch (error) {
      return timedOut ? unreachable("") : classifyHandshakeError(messageOf(error));
    }
  } finally {
    clearTimeout(timer);
    closeQuietly(conn);
  }
}

/** A failed handshake's verdict: a refused certificate means untrusted, anything else unknown. */
export function classifyHandshakeError(message: string): HandshakeResult {
  if (CERTIFICATE_ERROR_REGEXP.test(message)) return { trusted: false, error: message };
  return { trusted: null, error: `The TLS handshake through Lumen's proxy failed: ${message}` };
}

/** `lumen ca handshake <port>` (hidden): prints one JSON HandshakeResult line for check.ts. */
export async function runHandshake(args: string[]): Promise<number> {
  const port = Number(args[0]);
  if (args.length !== 1 || !Number.isInteger(port) || port < 1 || port > 65535) {
    console.error("Usage: lumen ca handshake <proxy port> (used by lumen ca status)");
    return 2;
  }
  console.log(JSON.stringify(await handshakeThroughProxy(port)));
  return 0;
}

/** Sends the CONNECT and reads the proxy's answer head, byte by byte so no TLS byte is taken. */
async function exchangeConnect(conn: Deno.Conn, host: string): Promise<string> {
  // The User-Agent lets a proxy log tell Lumen's own check from a client.
  const request =
    `CONNECT ${host}:443 HTTP/1.1\r\nHost: ${host}:443\r\nUser-Agent: lumen-trust-check\r\n\r\n`;
  const bytes = new TextEncoder().encode(request);
  for (let written = 0; written < bytes.length;) {
    written += await conn.write(bytes.subarray(written));
  }
  const one = new Uint8Array(1);
  let head = "";
  while (!head.endsWith("\r\n\r\n")) {
    if (head.length >= MAX_HEAD_BYTES) throw new Error("the answer head is too long");
    if (await conn.read(one) === null) throw new Error("the proxy closed the connection");
    head += String.fromCharCode(one[0]);
  }
  return head;
}

function closeQuietly(conn: Deno.Conn | undefined): void {
  try {
    conn?.close();
  } catch {
    // Already closed (by the timeout, or by a failed handshake): nothing left to release.
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
