import { WebhookError } from "../errors.js";
import type { Settings } from "./options.js";

/**
 * Whether a Standard Schema is registered for `type` (as an own key). A receiver without `events`
 * has none to look up: looking a delivery's type up as a key costs a string-table lookup of the
 * fresh string (~0.1 µs a request; bench/README.md, round 10), skipped when nothing is enumerable
 * in the map (schemas are written as object literals, so every one is).
 */
export function hasSchema(settings: Settings, type: string): boolean {
  const { schemas } = settings;
  for (const _ in schemas) return Object.hasOwn(schemas, type);
  return false;
}

/**
 * Validates a payload with the Standard Schema registered for its type (zod, valibot, arktype…):
 * 422 with the validator's issues when it fails. Types are looked up as own keys only, so an
 * event typed `constructor` or `__proto__` is simply a type without a schema.
 */
export async function validatePayload(settings: Settings, type: string, payload: unknown): Promise<unknown> {
  const { schemas } = settings;
  const schema = Object.hasOwn(schemas, type) ? schemas[type] : undefined;
  if (!schema) return payload;
  const result = await schema["~standard"].validate(payload);
  if (!result.issues) return result.value;
  throw new WebhookError(
    "schema_validation_failed",
    `hookgate: the ${type} payload does not match its schema`,
    {
      details: {
        issues: result.issues.map((issue) => ({
          message: issue.message,
          ...(issue.path
            ? { path: issue.path.map((p) => (typeof p === "object" ? p.key : p)).map(String) }
            : {}),
        })),
      },
    },
  );
}
