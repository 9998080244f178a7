import { WebhookError } from "@hookgate/core";

/** A table name safe to splice into SQL: letters, digits and underscores, not starting with a digit. */
export function tableName(name: unknown, what: string): string {
  if (typeof name !== "string" || !/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(name)) {
    throw new WebhookError(
      "invalid_option",
      `hookgate: ${what} table must be letters, digits and underscores, got ${JSON.stringify(name)}`,
    );
  }
  return name;
}

/** Checks that `database` looks like a D1 binding (`env.DB`). */
export function checkD1(database: unknown, what: string): void {
  const db = database as { prepare?: unknown; batch?: unknown } | undefined;
  if (!db || typeof db.prepare !== "function" || typeof db.batch !== "function") {
    throw new WebhookError(
      "invalid_option",
      `hookgate: ${what} needs { database }, a D1 binding such as env.DB`,
    );
  }
}
