import { type TableName, tableName } from "./internal/sql.js";

/** The default table of {@link postgresStore}. */
export const DEFAULT_STORE_TABLE = "hookgate_idempotency";

/**
 * The SQL that creates {@link postgresStore}'s table and index, for teams that run their own
 * migrations (`store.migrate()` runs exactly this). Idempotent: `IF NOT EXISTS` throughout.
 *
 * One row per key: a lease (`completed = false`, held by `token` until `expires_at`) or a
 * completion (`completed = true`, remembered until `expires_at`). A row whose `expires_at` has
 * passed is free, whatever it says; claims delete a few such rows as they go. Bindings (`bind`)
 * live in a second table, `<table>_bind`: one row per key with its `value` until `expires_at`.
 * Watermarks (`watermark`, `advance`: a receiver's `ordering`) live in a third, `<table>_order`:
 * one row per resource with its time `at` (ms since the epoch) until `expires_at`.
 *
 * @example
 * // in a migration file
 * await sql.unsafe(postgresStoreSql("hookgate_idempotency"));
 */
export function postgresStoreSql(table: string = DEFAULT_STORE_TABLE): string {
  const t = tableName(table, "postgresStoreSql(table)");
  const b = bindTableName(t);
  const o = orderTableName(t);
  return `CREATE TABLE IF NOT EXISTS ${t.quoted} (
  key text COLLATE "C" PRIMARY KEY,
  token text NOT NULL,
  completed boolean NOT NULL DEFAULT false,
  expires_at timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS "${t.base}_expires_at" ON ${t.quoted} (expires_at);
CREATE TABLE IF NOT EXISTS ${b.quoted} (
  key text COLLATE "C" PRIMARY KEY,
  value text NOT NULL,
  expires_at timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS "${b.base}_expiry" ON ${b.quoted} (expires_at);
CREATE TABLE IF NOT EXISTS ${o.quoted} (
  key text COLLATE "C" PRIMARY KEY,
  at bigint NOT NULL,
  expires_at timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS "${o.base}_expiry" ON ${o.quoted} (expires_at);
`;
}

/**
 * The table of the store's bindings (`bind`): the store's table name with `_bind` appended, in
 * the same schema. Its own table, so a binding never meets a claim of the same key.
 */
export function bindTableName(t: TableName): TableName {
  return sideTableName(t, "_bind");
}

/** The table of the store's watermarks (`advance`): the store's table name with `_order` appended. */
export function orderTableName(t: TableName): TableName {
  return sideTableName(t, "_order");
}

function sideTableName(t: TableName, suffix: string): TableName {
  // Not checked again: a valid name plus `_order` (and `_order_expiry` for its index) stays within
  // PostgreSQL's 63-byte identifiers, though past the 48 allowed for names users choose.
  const base = `${t.base}${suffix}`;
  const schema = t.name.includes(".") ? `${t.quoted.slice(0, t.quoted.lastIndexOf("."))}.` : "";
  return { name: `${t.name}${suffix}`, quoted: `${schema}"${base}"`, base };
}
