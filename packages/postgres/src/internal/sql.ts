import { WebhookError } from "@hookgate/core";

/**
 * A table name checked and quoted for SQL. Shared by everything this package keeps in
 * PostgreSQL (the store now; the delivery journal next), so each validates names one way.
 */
export interface TableName {
  /** As the user wrote it: `hookgate_idempotency` or `myschema.hookgate_idempotency`. */
  readonly name: string;
  /** Quoted for SQL text: `"myschema"."hookgate_idempotency"`. */
  readonly quoted: string;
  /** The unqualified part, for names derived from it (indexes). */
  readonly base: string;
}

// Plain identifiers only: quoting keeps their case, and the cap leaves room for derived index
// names under PostgreSQL's 63-byte identifier limit (longer ones are silently truncated).
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,47}$/;

/** Checks `name` (`table` or `schema.table`) and quotes it; throws `invalid_option` otherwise. */
export function tableName(name: unknown, option: string): TableName {
  const parts = typeof name === "string" ? name.split(".") : [];
  if (parts.length < 1 || parts.length > 2 || !parts.every((part) => IDENTIFIER.test(part))) {
    throw new WebhookError(
      "invalid_option",
      `hookgate: ${option} must be a table name like "hookgate_idempotency" or "myschema.hookgate_idempotency" (letters, digits and underscores, at most 48 per part), got ${JSON.stringify(name)}`,
    );
  }
  return { name: name as string, quoted: parts.map((part) => `"${part}"`).join("."), base: parts.at(-1)! };
}

/** A statement as `pg` takes it: with a `name`, it is prepared once per connection and reused. */
export interface PostgresQuery {
  text: string;
  values?: unknown[];
  name?: string;
}

/**
 * What the package needs of a `pg` connection: `pg.Pool` (recommended), `pg.Client` or a
 * `PoolClient` all fit, as do pools of other drivers with `pg`'s `query({ text, values, name })`.
 */
export interface PostgresQueryable {
  query(query: PostgresQuery): Promise<{ rows: unknown[] }>;
}

/**
 * A name for a prepared statement, unique to its text: a statement's text (and so its name)
 * changes with the table, and PostgreSQL keeps only the first 63 bytes of a name.
 */
export function statementName(label: string, text: string): string {
  // FNV-1a, 52 bits: no Node-only import, and a collision would need two texts in one process.
  let hash = 0xcbf29ce484222325n;
  for (let i = 0; i < text.length; i++) {
    hash ^= BigInt(text.charCodeAt(i));
    hash = (hash * 0x100000001b3n) & 0xfffffffffffffn;
  }
  return `hookgate_${label}_${hash.toString(36)}`;
}

/**
 * Runs migration `sql` once, even when several instances start at once: `CREATE … IF NOT EXISTS`
 * alone can still fail on a concurrent creation, so a transaction-scoped advisory lock named
 * after the table serializes them. Sent as one simple-protocol query (no parameters), which
 * PostgreSQL runs as a single implicit transaction: the lock is released at its end, and a
 * failure leaves nothing half-created.
 */
export async function migrateOnce(pool: PostgresQueryable, table: TableName, sql: string): Promise<void> {
  await pool.query({
    text: `SELECT pg_advisory_xact_lock(hashtext('hookgate'), hashtext('${table.quoted}'));\n${sql}`,
  });
}
