// Upstream TLS connections made with Deno's own TLS (Deno.connect + Deno.startTls) and handed to
// node:http as a socket. node:tls rebuilt a root store from the whole `ca` list on every
// connection: about 12 ms of CPU and 0.35 MB of memory per upstream connection with the 150
// Mozilla roots, against 1.5 ms here, where Deno's root store is built once and extra CAs are
// added to it (`deno task bench`, 500 open streams).
import http from "node:http";
import https from "node:https";
import { Duplex } from "node:stream";

/** Where to connect, and what to refuse. */
export interface TlsTarget {
  /** Name or IP address to connect to. */
  host: string;
  port: number;
  /** The name the certificate must hold (SNI); the host itself when omitted. */
  servername?: string;
  /** PEM CA certificates trusted on top of Deno's root store. */
  extraCaCerts: string[];
  timeoutMs: number;
  /** Called with the address reached, before TLS: an error thrown here refuses it. */
  check?(address: Deno.NetAddr): void;
}

/** Connects, checks the address, and completes the TLS handshake within `timeoutMs`. */
export async function connectTls(target: TlsTarget): Promise<TlsSocket> {
  const signal = AbortSignal.timeout(target.timeoutMs);
  const tcp = await Deno.connect({ hostname: target.host, port: target.port, signal })
    .catch((error) => {
      throw signal.aborted ? timeoutError(target.timeoutMs) : error;
    });
  try {
    target.check?.(tcp.remoteAddr);
    tcp.setNoDelay(true);
    const conn = await Deno.startTls(tcp, {
      hostname: target.servername ?? target.host,
      caCerts: target.extraCaCerts,
    });
    const timer = setTimeout(() => conn.close(), target.timeoutMs);
    try {
      await conn.handshake();
    } catch (error) {
      throw signal.aborted ? timeoutError(target.timeoutMs) : error;
    } finally {
      clearTimeout(timer);
    }
    return new TlsSocket(conn);
  } catch (error) {
    closeQuietly(tcp);
    throw error;
  }
}

/** What every connection of a TlsAgent shares. */
export interface TlsAgentOptions {
  /** PEM CA certificates trusted on top of Deno's root store. */
  extraCaCerts: string[];
  timeoutMs: number;
  /** Called with the address reached and the `host:port` asked for; throwing refuses it. */
  check?(address: Deno.NetAddr, authority: string): void;
}

/**
 * A keep-alive https.Agent whose connections come from connectTls(). Its pool key is host, port
 * and server name: every connection has the same trust settings.
 */
export class TlsAgent extends https.Agent {
  #options: TlsAgentOptions;

  constructor(options: TlsAgentOptions) {
    super({ keepAlive: true });
    this.#options = options;
  }

  override getName(options: https.RequestOptions = {}): string {
    return `${http.Agent.prototype.getName.call(this, options)}:${options.servername ?? ""}`;
  }

  /** Connects asynchronously; Node's Agent takes the socket from `created` when none is returned. */
  override createConnection(
    options: http.ClientRequestArgs & { servername?: string },
    created?: (error: Error | null, socket: Duplex) => void,
  ): Duplex {
    const host = options.host ?? options.hostname ?? "localhost";
    const port = Number(options.port ?? 443);
    const { check, ...shared } = this.#options;
    connectTls({
      ...shared,
      host,
      port,
      servername: options.servername || undefined,
      check: check && ((address) => check(address, `${host}:${port}`)),
    }).then((socket) => created!(null, socket), (error) => created!(error, undefined!));
    return undefined!;
  }
}

/** Small reads are copied out of the shared buffer; a large one takes it whole. */
const READ_BYTES = 16 * 1024;
const COPY_BELOW = 4 * 1024;

/** A connected Deno.TlsConn as the socket node:http's client expects. */
export class TlsSocket extends Duplex {
  readonly encrypted = true;
  readonly connecting = false;
  readonly remoteAddress: string;
  readonly remotePort: number;
  #conn: Deno.TlsConn;
  #buffer = new Uint8Array(READ_BYTES);
  #idleMs = 0;
  #idleTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(conn: Deno.TlsConn) {
    super({ allowHalfOpen: false });
    this.#conn = conn;
    const remote = conn.remoteAddr as Deno.NetAddr;
    this.remoteAddress = remote.hostname;
    this.remotePort = remote.port;
  }

  override async _read(): Promise<void> {
    let read: number | null;
    try {
      read = await this.#conn.read(this.#buffer);
    } catch (error) {
      return void this.destroy(error as Error);
    }
    if (read === null) return void this.push(null);
    this.#touch();
    let chunk: Uint8Array;
    if (read < COPY_BELOW) {
      chunk = this.#buffer.slice(0, read);
    } else {
      chunk = this.#buffer.subarray(0, read);
      this.#buffer = new Uint8Array(READ_BYTES);
    }
    this.push(chunk);
  }

  override _write(
    chunk: Uint8Array,
    _encoding: string,
    done: (error?: Error | null) => void,
  ): void {
    this.#touch();
    writeAll(this.#conn, chunk).then(() => done(), done);
  }

  override _destroy(error: Error | null, done: (error?: Error | null) => void): void {
    clearTimeout(this.#idleTimer);
    closeQuietly(this.#conn);
    done(error);
  }

  /** node:net's inactivity timeout: 'timeout' after `ms` without reads or writes; 0 turns it off. */
  setTimeout(ms: number, onTimeout?: () => void): this {
    this.#idleMs = ms;
    if (onTimeout) this.once("timeout", onTimeout);
    this.#touch();
    return this;
  }

  setNoDelay(): this {
    return this; // set on the TCP connection before TLS
  }

  setKeepAlive(): this {
    return this;
  }

  ref(): this {
    this.#conn.ref();
    return this;
  }

  unref(): this {
    this.#conn.unref();
    return this;
  }

  #touch(): void {
    clearTimeout(this.#idleTimer);
    if (this.#idleMs > 0 && !this.destroyed) {
      this.#idleTimer = setTimeout(() => this.emit("timeout"), this.#idleMs);
    }
  }
}

async function writeAll(conn: Deno.Conn, chunk: Uint8Array): Promise<void> {
  for (let written = 0; written < chunk.length;) {
    written += await conn.write(written === 0 ? chunk : chunk.subarray(written));
  }
}

function closeQuietly(conn: Deno.Conn): void {
  try {
    conn.close();
  } catch {
    // Already closed.
  }
}

function timeoutError(ms: number): Error {
  return new Error(`no connection within ${ms / 1000} s`);
}
