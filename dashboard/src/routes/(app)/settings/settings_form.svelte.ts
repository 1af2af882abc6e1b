// The load-edit-save life of a settings form: the settings as saved, a save in flight, and what
// the last save said. Each form keeps its own fields; `adopt` copies the saved settings into them.
import { getSettings, putSettings } from "#lib/api.ts";
import type { Settings } from "#lib/types.ts";

/** One settings form's state, shared by the forms of the Settings page. */
export class SettingsForm {
  saved = $state<Settings | null>(null);
  loadError = $state<string | null>(null);
  saving = $state(false);
  feedback = $state<{ ok: boolean; message: string } | null>(null);
  #adopt: (settings: Settings) => void;

  constructor(adopt: (settings: Settings) => void) {
    this.#adopt = adopt;
  }

  /** Loads the settings into the form. */
  load(): void {
    getSettings().then((settings) => this.#take(settings), (e: Error) => {
      this.loadError = e.message;
    });
  }

  /** Saves `patch` and takes the settings the daemon answers with, saying how it went. */
  async save(patch: Partial<Settings>): Promise<void> {
    this.saving = true;
    this.feedback = null;
    try {
      this.#take(await putSettings(patch));
      this.feedback = { ok: true, message: "Saved" };
    } catch (error) {
      this.feedback = { ok: false, message: (error as Error).message };
    } finally {
      this.saving = false;
    }
  }

  #take(settings: Settings): void {
    this.saved = settings;
    this.#adopt(settings);
  }
}
