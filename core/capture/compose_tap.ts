// Several taps behind one: the proxy still sees one Tap per request, and one tap that throws is
// switched off alone, leaving the others running (each behind its own fuse, as the relay's is).
import type { Tap, TapFactory } from "../proxy/tap.ts";

/**
 * Combines tap factories into one. A request gets the taps whose factories answered; with one,
 * that tap itself. Only the first tap with a request rewrite may rewrite the request.
 */
export function composeTapFactories(
  factories: TapFactory[],
  onError: (error: unknown) => void,
): TapFactory {
  return (request) => {
    const taps: Tap[] = [];
    for (const factory of factories) {
      try {
        const tap = factory(request);
        if (tap) taps.push(tap);
      } catch (error) {
        onError(error);
      }
    }
    if (taps.length <= 1) return taps[0] ?? null;
    return composeTaps(taps, onError);
  };
}

function composeTaps(taps: Tap[], onError: (error: unknown) => void): Tap {
  const live: (Tap | null)[] = [...taps];
  const each = (fn: (tap: Tap) => void) => {
    live.forEach((tap, i) => {
      if (!tap) return;
      try {
        fn(tap);
      } catch (error) {
        live[i] = null;
        onError(error);
      }
    });
  };
  return {
    rewrite: taps.find((tap) => tap.rewrite)?.rewrite,
    onResponse: (status, headers) => each((tap) => tap.onResponse(status, headers)),
    onChunk: (chunk) => each((tap) => tap.onChunk(chunk)),
    onEnd: (end) => each((tap) => tap.onEnd(end)),
  };
}
