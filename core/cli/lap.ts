// `lumen lap [name]`: closes the running daemon's current lap and starts a new one.
import type { Lap } from "../usage/aggregator.ts";
import { callApi } from "./api_client.ts";
import { whenRunning } from "./status.ts";

/** Runs `lumen lap`; the words after it name the new lap. Returns the exit code (1: not running). */
export async function runLap(port: number, words: string[]): Promise<number> {
  return await whenRunning(async () => {
    const body = words.length ? { name: words.join(" ") } : {};
    const { closed, opened }: { closed: Lap; opened: Lap } = await callApi(
      port,
      "POST",
      "/api/laps",
      body,
    );
    console.log(
      `Closed "${closed.name}" ($${closed.cost_usd.toFixed(4)}); started "${opened.name}"`,
    );
  });
}
