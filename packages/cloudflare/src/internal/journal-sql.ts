// The D1 journal's schema: the tables of @hookgate/sqlite's journal (D1 is SQLite).
// Rows are read, filtered and counted by the kit's SQL journal helpers (`sqlJournalEntryOf` …).

/** The statements that create the journal's tables, one each (D1's `batch` runs them in one transaction). */
export function journalSchema(t: string): string[] {
  return [
    `CREATE TABLE IF NOT EXISTS ${t} (key TEXT PRIMARY KEY, id TEXT NOT NULL, tenant TEXT, scheme TEXT NOT NULL, type TEXT NOT NULL, status TEXT NOT NULL, received_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, error_code TEXT, error_message TEXT, duration_ms REAL, matched_secret TEXT NOT NULL, size INTEGER NOT NULL, timestamp INTEGER, url TEXT, headers TEXT NOT NULL, raw_body BLOB NOT NULL, params TEXT, seal TEXT, history TEXT)`,
    `CREATE INDEX IF NOT EXISTS ${t}_received ON ${t} (received_at, key)`,
    `CREATE INDEX IF NOT EXISTS ${t}_status ON ${t} (status, received_at)`,
    `CREATE INDEX IF NOT EXISTS ${t}_id ON ${t} (id)`,
    `CREATE INDEX IF NOT EXISTS ${t}_tenant ON ${t} (tenant, received_at)`,
    `CREATE TABLE IF NOT EXISTS ${t}_rejections (minute INTEGER NOT NULL, code TEXT NOT NULL, count INTEGER NOT NULL, PRIMARY KEY (minute, code)) WITHOUT ROWID`,
    `CREATE TABLE IF NOT EXISTS ${t}_rejected (seq INTEGER PRIMARY KEY AUTOINCREMENT, code TEXT NOT NULL, at INTEGER NOT NULL, url TEXT, headers TEXT NOT NULL, raw_body BLOB NOT NULL)`,
  ];
}

/**
 * The statement adding `history` (each row's last attempts, JSON) to a deliveries table made
 * before it, or none when `columns` (the table's, from `PRAGMA table_info`) have it.
 */
export function historyColumn(t: string, columns: ReadonlyArray<{ name: string }>): string | undefined {
  return columns.some((column) => column.name === "history")
    ? undefined
    : `ALTER TABLE ${t} ADD COLUMN history TEXT`;
}

/** The `SET` clause appending `?1`-numbered `param` (an attempt's JSON) to `history`, keeping the last `limit`. */
export function appendHistory(param: string, limit: number): string {
  return `history = CASE WHEN ${param} IS NULL THEN history ELSE (
    SELECT CASE WHEN json_array_length(h) > ${limit} THEN json_remove(h, '$[0]') ELSE h END
    FROM (SELECT json_insert(COALESCE(history, '[]'), '$[#]', json(${param})) AS h)) END`;
}

/** A BLOB as D1 returns it (an array of byte values, or an ArrayBuffer) → bytes. */
export function blobBytes(value: unknown): Uint8Array {
  if (value instanceof Uint8Array) return new Uint8Array(value);
  if (value instanceof ArrayBuffer) return new Uint8Array(value.slice(0));
  if (Array.isArray(value)) return Uint8Array.from(value as number[]);
  return new Uint8Array(0);
}

/** Bytes → an ArrayBuffer of exactly them, as D1 binds a BLOB. */
export function blobOf(bytes: Uint8Array): ArrayBuffer {
  return bytes.slice().buffer as ArrayBuffer;
}
