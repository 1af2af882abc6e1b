// Ctrl-C during a benchmark still stops every process it started and removes its temp dirs.

/** On SIGINT, disposes `stack` and exits with 130; the listener goes with the stack. */
export function disposeOnInterrupt(stack: AsyncDisposableStack): void {
  const onInterrupt = () => {
    console.error("\nInterrupted: stopping what the benchmark started");
    // Stopping the servers fails the requests still running, and an uncaught failure would end
    // the process before the stack is through: those failures are expected now, so ignore them.
    const ignore = (event: Event) => event.preventDefault();
    globalThis.addEventListener("unhandledrejection", ignore);
    globalThis.addEventListener("error", ignore);
    stack.disposeAsync().finally(() => Deno.exit(130));
  };
  Deno.addSignalListener("SIGINT", onInterrupt);
  stack.defer(() => Deno.removeSignalListener("SIGINT", onInterrupt));
}
