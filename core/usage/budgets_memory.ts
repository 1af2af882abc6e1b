// Which budget thresholds were already announced, in LUMEN_HOME/budget_alerts.json, so a restart
// does not announce them again. A few lines; written atomically (temp file, then rename).
import type { BudgetMemory } from "./budgets.ts";

/** The file's name in LUMEN_HOME. */
export const BUDGET_ALERTS_FILE = "budget_alerts.json";

/** A BudgetMemory kept in `home`/budget_alerts.json; problems are logged, never thrown. */
export function fileBudgetMemory(home: string, log: (line: string) => void): BudgetMemory {
  const path = `${home}/${BUDGET_ALERTS_FILE}`;
  return {
    load() {
      try {
        const data = JSON.parse(Deno.readTextFileSync(path));
        const keys = data?.alerted;
        return Array.isArray(keys) ? keys.filter((k) => typeof k === "string") : [];
      } catch (error) {
        if (!(error instanceof Deno.errors.NotFound)) {
          log(`Cannot read ${path} (budget alerts may repeat): ${error}`);
        }
        return [];
      }
    },
    save(keys) {
      const temp = `${path}.tmp`;
      try {
        Deno.writeTextFileSync(temp, `${JSON.stringify({ alerted: keys }, null, 2)}\n`, {
          mode: 0o600,
        });
        Deno.renameSync(temp, path);
      } catch (error) {
        log(`Cannot save ${path} (budget alerts may repeat after a restart): ${error}`);
      }
    },
  };
}
