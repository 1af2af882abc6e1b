// Project tags: a user-chosen name a request is counted under, from the `X-Lumen-Project` header or
// a `/p/<project>/<provider>/…` relay prefix. The header is Lumen's own: it never goes upstream.

/** The request header that tags a request with a project (lower-case, as node:http names it). */
export const PROJECT_HEADER = "x-lumen-project";

/** 1–64 letters, digits, dots, underscores or hyphens: safe in a URL segment, a CSV cell, a label. */
const PROJECT_NAME_REGEXP = /^[A-Za-z0-9._-]{1,64}$/;

/** Whether `name` is a valid project tag; `.` and `..` are not (they are dot segments in a path). */
export function isProjectName(name: string): boolean {
  return PROJECT_NAME_REGEXP.test(name) && name !== "." && name !== "..";
}

/**
 * The project a raw header list (`[name, value, …]`) tags, or null when there is none or it is
 * invalid (an invalid tag is ignored, not refused: tagging must never break a call). When the header
 * is repeated, the first valid value wins.
 */
export function projectFromHeaders(raw: readonly string[]): string | null {
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i].toLowerCase() !== PROJECT_HEADER) continue;
    const value = raw[i + 1].trim();
    if (isProjectName(value)) return value;
  }
  return null;
}
