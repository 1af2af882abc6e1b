// A minimal Chrome DevTools Protocol client for a daemon started with `--inspect=127.0.0.1:0`.

/** A Chrome DevTools Protocol session with the daemon's inspector. */
export class Inspector {
  #socket: WebSocket;
  #next = 0;
  #pending = new Map<number, (result: unknown) => void>();

  private constructor(socket: WebSocket) {
    this.#socket = socket;
    socket.onmessage = (message) => {
      const { id, result } = JSON.parse(message.data);
      this.#pending.get(id)?.(result);
      this.#pending.delete(id);
    };
  }

  /** Connects to the inspector whose "Debugger listening on ws://…" line is in `output`. */
  static async open(output: string): Promise<Inspector> {
    const url = output.match(/Debugger listening on (ws:\/\/\S+)/)?.[1];
    if (!url) throw new Error(`The daemon did not print its inspector address:\n${output}`);
    const socket = new WebSocket(url);
    await new Promise((resolve, reject) => {
      socket.onopen = resolve;
      socket.onerror = () => reject(new Error(`Cannot connect to the inspector at ${url}`));
    });
    return new Inspector(socket);
  }

  call(method: string, params: Record<string, unknown> = {}): Promise<unknown> {
    const id = ++this.#next;
    return new Promise((resolve) => {
      this.#pending.set(id, resolve);
      this.#socket.send(JSON.stringify({ id, method, params }));
    });
  }

  close(): void {
    this.#socket.close();
  }
}
