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
}

/** Observes one response. Called only after the bytes went to the client; may throw (fails open). */
export interface Tap {
  onResponse(status: number, headers: Record<string, string>): void;
  onChunk(chunk: Uint8Array): void;
  onEnd(end: { aborted: boolean }): void;
}

/** Returns a tap for a request, or null when the request is not a usage endpoint. */
export type TapFactory = (request: TapRequest) => Tap | null;
