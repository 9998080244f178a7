import { WebhookError } from "../errors.js";
import type { Settings } from "./options.js";

/** Whether a Standard Schema is registered for `type` (as an own key). */
export function hasSchema(settings: Settings, type: string): boolean {
  return Object.hasOwn(settings.schemas, type);
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
