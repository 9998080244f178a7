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
 * (`journal.migrate()` runs exactly this, under an advisory lock). Idempotent: `IF NOT EXISTS`
 * throughout, and a deliveries table made by an earlier version (keyed by sender id) is migrated
 * in place to one keyed by idempotency key, keeping every row.
 *
 * `<table>` holds one row per delivery key (namespace, tenant, scheme and id or signature, so two
 * tenants' deliveries with the same id are two rows): the exact bytes (`bytea`), headers and URL
 * as received, the tenant and route params, the receiver's integrity seal, the lifecycle, and `history` (`jsonb`: the last attempts, oldest first). `<table>_rejections` counts refused requests per error code per
 * minute; `<table>_rejected` keeps the last few refused requests whole, when asked
 * (`keepRejected`). Rows older than `retainMs` are deleted as new ones are written.
 *
 * @example
 * // in a migration file
 * await sql.unsafe(postgresJournalSql("hookgate_deliveries"));
 */
export function postgresJournalSql(table: string = DEFAULT_JOURNAL_TABLE): string {
  const { deliveries: t, rejections: r, rejected: k } = journalTables(table);
  // The old `<table>_received` index ordered by id; its qualified name, to drop it on migration.
  const oldIndex = t.quoted.replace(/"[^"]*"$/, `"${t.base}_received"`);
  return `CREATE TABLE IF NOT EXISTS ${t.quoted} (
  key text COLLATE "C" PRIMARY KEY,
  id text COLLATE "C" NOT NULL,
  tenant text,
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
  raw_body bytea NOT NULL,
  params json,
  seal text,
  history jsonb
);
ALTER TABLE ${t.quoted} ADD COLUMN IF NOT EXISTS tenant text;
ALTER TABLE ${t.quoted} ADD COLUMN IF NOT EXISTS params json;
ALTER TABLE ${t.quoted} ADD COLUMN IF NOT EXISTS seal text;
ALTER TABLE ${t.quoted} ADD COLUMN IF NOT EXISTS history jsonb;
DO $hookgate$
DECLARE
  legacy name;
BEGIN
  -- A table made by an earlier version has its primary key on id: move it to key. Rows that
  -- shared a key (one delivery re-sent under fresh ids) are all kept: the newest keeps the key,
  -- the others become <key>#<id>.
  SELECT c.conname INTO legacy FROM pg_constraint c JOIN pg_attribute a
    ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
  WHERE c.conrelid = '${t.quoted}'::regclass AND c.contype = 'p'
    AND cardinality(c.conkey) = 1 AND a.attname = 'id';
  IF legacy IS NOT NULL THEN
    UPDATE ${t.quoted} AS d SET key = d.key || '#' || d.id
    WHERE EXISTS (SELECT 1 FROM ${t.quoted} AS o
      WHERE o.key = d.key AND (o.received_at, o.id) > (d.received_at, d.id));
    EXECUTE format('ALTER TABLE ${t.quoted} DROP CONSTRAINT %I', legacy);
    ALTER TABLE ${t.quoted} ALTER COLUMN key TYPE text COLLATE "C";
    ALTER TABLE ${t.quoted} ADD PRIMARY KEY (key);
    DROP INDEX IF EXISTS ${oldIndex};
  END IF;
END
$hookgate$;
CREATE INDEX IF NOT EXISTS "${t.base}_received_key" ON ${t.quoted} (received_at DESC, key DESC);
CREATE INDEX IF NOT EXISTS "${t.base}_status" ON ${t.quoted} (status, received_at DESC);
CREATE INDEX IF NOT EXISTS "${t.base}_id" ON ${t.quoted} (id);
CREATE INDEX IF NOT EXISTS "${t.base}_tenant" ON ${t.quoted} (tenant, received_at DESC);
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
