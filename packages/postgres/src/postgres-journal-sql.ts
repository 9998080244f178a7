import { type TableName, tableName } from "./internal/sql.js";

/** The default table of {@link postgresJournal}. */
export const DEFAULT_JOURNAL_TABLE = "hookgate_deliveries";

/** The journal's three tables: deliveries, refusal counts per minute, and refused requests kept whole. */
export function journalTables(table: string): {
  deliveries: TableName;
  rejections: TableName;
  rejected: TableName;
} {
  return {
    deliveries: tableName(table, "postgresJournal table"),
    rejections: tableName(`${table}_rejections`, "postgresJournal table"),
    rejected: tableName(`${table}_rejected`, "postgresJournal table"),
  };
}

/**
 * The SQL that creates {@link postgresJournal}'s tables, for teams that run their own migrations
 * (`journal.migrate()` runs exactly this). Idempotent: `IF NOT EXISTS` throughout.
 *
 * `<table>` holds one row per delivery id: the exact bytes (`bytea`), headers and URL as
 * received, and the lifecycle. `<table>_rejections` counts refused requests per error code per
 * minute; `<table>_rejected` keeps the last few refused requests whole, when asked
 * (`keepRejected`). Rows older than `retainMs` are deleted as new ones are written.
 *
 * @example
 * // in a migration file
 * await sql.unsafe(postgresJournalSql("hookgate_deliveries"));
 */
export function postgresJournalSql(table: string = DEFAULT_JOURNAL_TABLE): string {
  const { deliveries: t, rejections: r, rejected: k } = journalTables(table);
  return `CREATE TABLE IF NOT EXISTS ${t.quoted} (
  id text COLLATE "C" PRIMARY KEY,
  key text NOT NULL,
  scheme text NOT NULL,
  type text NOT NULL,
  status text NOT NULL,
  received_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  attempts integer NOT NULL DEFAULT 0,
  error_code text,
  error_message text,
  duration_ms double precision,
  matched_secret json NOT NULL,
  size integer NOT NULL,
  "timestamp" timestamptz,
  url text,
  headers json NOT NULL,
  raw_body bytea NOT NULL
);
CREATE INDEX IF NOT EXISTS "${t.base}_received" ON ${t.quoted} (received_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS "${t.base}_status" ON ${t.quoted} (status, received_at DESC);
CREATE TABLE IF NOT EXISTS ${r.quoted} (
  minute timestamptz NOT NULL,
  code text NOT NULL,
  count integer NOT NULL,
  PRIMARY KEY (minute, code)
);
CREATE TABLE IF NOT EXISTS ${k.quoted} (
  seq bigserial PRIMARY KEY,
  code text NOT NULL,
  at timestamptz NOT NULL,
  url text,
  headers json NOT NULL,
  raw_body bytea NOT NULL
);
`;
}
