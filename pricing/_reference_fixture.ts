// Test support: the LiteLLM snapshot in ../shared/reference, which sits beside the repository in CI
// but not in every checkout; tests that compare against it are skipped when it is absent.

/** Where the snapshot is expected. */
export const LITELLM_REFERENCE_URL = new URL(
  "../../shared/reference/litellm_model_prices.json",
  import.meta.url,
);

/** The parsed snapshot, or null (with one line saying which test is skipped) when it is absent. */
export async function readLiteLlmReference(
  skipped: string,
): Promise<Record<string, Record<string, unknown>> | null> {
  try {
    return JSON.parse(await Deno.readTextFile(LITELLM_REFERENCE_URL));
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
    console.log(`Skipping ${skipped}: ${LITELLM_REFERENCE_URL.pathname} is absent`);
    return null;
  }
}
