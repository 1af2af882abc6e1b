// A JSON Schema (draft 2020-12) validator for the keywords pricing.schema.json uses, so tests can
// check the bundled table against its schema without an npm dependency. Any other keyword throws,
// so the schema cannot quietly grow past what is actually checked.

type Schema = { [keyword: string]: unknown };

const ANNOTATIONS = new Set(["$schema", "$id", "$defs", "title", "description"]);

/** Returns one message per violation of `schema` by `value` (empty when valid), as `pointer: problem`. */
export function validateJsonSchema(schema: Schema, value: unknown): string[] {
  const defs = (schema.$defs ?? {}) as Record<string, Schema>;

  function resolve(ref: string): Schema {
    const name = /^#\/\$defs\/(.+)$/.exec(ref)?.[1];
    if (name === undefined || !defs[name]) throw new SyntaxError(`Cannot resolve $ref "${ref}"`);
    return defs[name];
  }

  function check(s: Schema, v: unknown, at: string): string[] {
    const errors: string[] = [];
    const fail = (problem: string) => errors.push(`${at || "/"}: ${problem}`);
    const object = isObject(v) ? v : null;
    for (const [keyword, arg] of Object.entries(s)) {
      if (ANNOTATIONS.has(keyword)) continue;
      switch (keyword) {
        case "$ref":
          errors.push(...check(resolve(arg as string), v, at));
          break;
        case "type": {
          const types = [arg].flat() as string[];
          const actual = typeOf(v);
          if (!types.some((t) => t === actual || (t === "number" && actual === "integer"))) {
            fail(`must be ${types.join(" or ")}`);
          }
          break;
        }
        case "const":
          if (v !== arg) fail(`must be ${JSON.stringify(arg)}`);
          break;
        case "enum":
          if (!(arg as unknown[]).includes(v)) {
            fail(`must be one of ${(arg as unknown[]).join(", ")}`);
          }
          break;
        case "minimum":
          if (typeof v === "number" && v < (arg as number)) fail(`must be at least ${arg}`);
          break;
        case "minLength":
          if (typeof v === "string" && v.length < (arg as number)) fail("is too short");
          break;
        case "pattern":
          if (typeof v === "string" && !new RegExp(arg as string, "u").test(v)) {
            fail(`must match ${arg}`);
          }
          break;
        case "required":
          for (const key of arg as string[]) if (object && !(key in object)) fail(`misses ${key}`);
          break;
        case "minProperties":
          if (object && Object.keys(object).length < (arg as number)) {
            fail("has too few properties");
          }
          break;
        case "properties":
          for (const [key, sub] of Object.entries(arg as Record<string, Schema>)) {
            if (object && key in object) errors.push(...check(sub, object[key], `${at}/${key}`));
          }
          break;
        case "additionalProperties": {
          const known = (s.properties ?? {}) as Record<string, Schema>;
          for (const [key, item] of Object.entries(object ?? {})) {
            if (key in known) continue;
            if (arg === false) fail(`has unexpected property ${key}`);
            else errors.push(...check(arg as Schema, item, `${at}/${key}`));
          }
          break;
        }
        case "propertyNames":
          for (const key of Object.keys(object ?? {})) {
            const bad = check(arg as Schema, key, "").map((e) => e.replace(/^\/: /, ""));
            if (bad.length > 0) fail(`property name "${key}" ${bad.join(", ")}`);
          }
          break;
        case "items":
          if (Array.isArray(v)) {
            v.forEach((item, i) => errors.push(...check(arg as Schema, item, `${at}/${i}`)));
          }
          break;
        case "minItems":
          if (Array.isArray(v) && v.length < (arg as number)) fail("has too few items");
          break;
        case "uniqueItems":
          if (Array.isArray(v) && new Set(v.map((x) => JSON.stringify(x))).size !== v.length) {
            fail("repeats an item");
          }
          break;
        default:
          throw new SyntaxError(`Cannot validate with JSON Schema keyword "${keyword}"`);
      }
    }
    return errors;
  }

  return check(schema, value, "");
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function typeOf(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "number") return Number.isInteger(v) ? "integer" : "number";
  return typeof v;
}
