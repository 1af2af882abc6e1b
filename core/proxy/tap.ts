// The only thing proxy/ knows about usage capture. main.ts injects a TapFactory.

/** What the proxy tells a tap about the request it forwards. */
export interface TapRequest {
  mode: "relay" | "proxy";
  /** Host the request is for (the real provider host, not an override origin). */
  host: string;
  method: string;
  /** Upstream path without the query. */
  path: string;
  /** Query without `?`. */
  query: string;
  /** Request headers, lower-case names. */
  headers: Record<string, string>;
  body: Uint8Array;
  /** Epoch ms when the request arrived. */
  startedAt: number;
  /** The request's project tag (`/p/<project>/…` prefix, else `X-Lumen-Project`); null when none. */
  project?: string | null;
}

/** Observes one response. Called only after the bytes went to the client; may throw (fails open). */
export interface Tap {
  /** A change to the request, made only so that the response reports usage it would hide. */
  readonly rewrite?: RequestRewrite;
  onResponse(status: number, headers: Record<string, string>): void;
  onChunk(chunk: Uint8Array): void;
  onEnd(end: { aborted: boolean }): void;
}

/** Returns a tap for a request, or null when the request is not a usage endpoint. */
export type TapFactory = (request: TapRequest) => Tap | null;

/**
 * A request body to send instead of the client's, and the filter that takes out of the response
 * what the change added, so the client still receives the response it asked for.
 */
export interface RequestRewrite {
  body: Uint8Array;
  /** Request headers to set, lower-case names. */
  headers: Record<string, string>;
  /** The filter for the bytes the client receives, or null to pass them through untouched. */
  responseFilter(status: number, headers: Record<string, string>): ChunkFilter | null;
}

/** Turns upstream bytes into client bytes, holding back at most an incomplete record. */
export interface ChunkFilter {
  push(chunk: Uint8Array): Uint8Array;
  /** Returns whatever is still held; called once when the upstream body ended. */
  end(): Uint8Array;
}
