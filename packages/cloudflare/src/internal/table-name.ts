import { WebhookError } from "@hookgate/core";
import { checkOption } from "@hookgate/core/kit";

/** A table name safe to splice into SQL (the rule the SQLite tables share: `checkOption.tableName`). */
export function tableName(name: unknown, what: string): string {
  return checkOption.tableName(`${what} table`, name);
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
