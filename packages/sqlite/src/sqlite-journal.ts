import type { DeliveryJournal, JournalOptions } from "@hookgate/core";
import {
  JOURNAL_HISTORY_LIMIT,
  journalAttemptJson,
  journalAttemptOf,
  journalPageOf,
  journalPageSize,
  resolveJournalOptions,
  SQL_JOURNAL_SUMMARY,
  type SqlJournalEntryRow,
  type SqlJournalRow,
  sqlJournalEntryOf,
  sqlJournalStats,
  sqlJournalSummaryOf,
  sqlJournalWhere,
} from "@hookgate/core/kit";
import { openDatabase, type SqliteDatabase, type SqliteTarget, tableName } from "./internal/database.js";
import { groupCommit } from "./internal/group-commit.js";

/** Options for {@link sqliteJournal}. */
export interface SqliteJournalOptions extends SqliteTarget, JournalOptions {
  /** The deliveries table; refusals go in `${table}_rejections` and `${table}_rejected`. @default "hookgate_deliveries" */
  table?: string;
}

/** A journal over SQLite, with a way to close the file it opened. */
export interface SqliteJournal extends DeliveryJournal {
  /** The better-sqlite3 database it writes to. */
  readonly database: SqliteDatabase;
  close(): Promise<void>;
}

/** The deliveries table's columns: one row per idempotency key (several may share a sender id). */
function deliveryColumns(): string {
  return `(
  key TEXT PRIMARY KEY,
  id TEXT NOT NULL,
  tenant TEXT,
  scheme TEXT NOT NULL,
  type TEXT NOT NULL,
  status TEXT NOT NULL,
  received_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  error_code TEXT,
  error_message TEXT,
  duration_ms REAL,
  matched_secret TEXT NOT NULL,
  size INTEGER NOT NULL,
  timestamp INTEGER,
  url TEXT,
  headers TEXT NOT NULL,
  raw_body BLOB NOT NULL,
  params TEXT,
  seal TEXT,
  history TEXT
)`;
}

/**
 * The SQL that creates the journal's tables (run by {@link sqliteJournal} on open, after it has
 * migrated a deliveries table made by an earlier version, keyed by sender id, to one keyed by
 * idempotency key).
 */
export function sqliteJournalSql(table = "hookgate_deliveries"): string {
  const t = tableName(table, "sqliteJournal");
  return `CREATE TABLE IF NOT EXISTS ${t} ${deliveryColumns()};
CREATE INDEX IF NOT EXISTS ${t}_received ON ${t} (received_at, key);
CREATE INDEX IF NOT EXISTS ${t}_status ON ${t} (status, received_at);
CREATE INDEX IF NOT EXISTS ${t}_id ON ${t} (id);
CREATE INDEX IF NOT EXISTS ${t}_tenant ON ${t} (tenant, received_at);
CREATE TABLE IF NOT EXISTS ${t}_rejections (
  minute INTEGER NOT NULL,
  code TEXT NOT NULL,
  count INTEGER NOT NULL,
  PRIMARY KEY (minute, code)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS ${t}_rejected (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  code TEXT NOT NULL,
  at INTEGER NOT NULL,
  url TEXT,
  headers TEXT NOT NULL,
  raw_body BLOB NOT NULL
);`;
}

/**
 * Rebuilds a deliveries table made by an earlier version (`id` its primary key, so a second
 * tenant's delivery with the same id replaced the first) as one keyed by `key`, in one
 * transaction, keeping every row. Rows that shared a key (one delivery re-sent under fresh ids)
 * stay too: the newest keeps the key, the others get `<key>#<id>`. A no-op on a current table.
 */
function migrateLegacyTable(db: SqliteDatabase, t: string): void {
  const legacy = () =>
    db
      .prepare<[], { name: string; pk: number }>(`SELECT name, pk FROM pragma_table_info('${t}')`)
      .all()
      .some((column) => column.name === "id" && column.pk === 1);
  if (!legacy()) return;
  db.transaction(() => {
    if (!legacy()) return; // another process migrated it while this one waited for the lock
    const next = `${t}__hookgate_migrate`;
    const columns =
      "id, scheme, type, status, received_at, updated_at, attempts, error_code, error_message, duration_ms, matched_secret, size, timestamp, url, headers, raw_body";
    db.exec(`DROP TABLE IF EXISTS ${next};
CREATE TABLE ${next} ${deliveryColumns()};
CREATE INDEX IF NOT EXISTS ${t}_key_migrate ON ${t} (key, received_at, id);
INSERT INTO ${next} (key, ${columns})
  SELECT CASE WHEN EXISTS (SELECT 1 FROM ${t} AS o WHERE o.key = d.key
      AND (o.received_at > d.received_at OR (o.received_at = d.received_at AND o.id > d.id)))
    THEN d.key || '#' || d.id ELSE d.key END, ${columns} FROM ${t} AS d;
DROP TABLE ${t};
ALTER TABLE ${next} RENAME TO ${t};`);
  }).immediate();
}

/**
 * Adds the `history` column (each row's last attempts, JSON) to a deliveries table made before
 * it; a no-op on a current table, and safe when another process adds it first.
 */
function addHistoryColumn(db: SqliteDatabase, t: string): void {
  const has = () =>
    db
      .prepare<[], { name: string }>(`SELECT name FROM pragma_table_info('${t}')`)
      .all()
      .some((column) => column.name === "history");
  if (has()) return;
  try {
    db.exec(`ALTER TABLE ${t} ADD COLUMN history TEXT`);
  } catch (error) {
    if (!has()) throw error;
  }
}

function bytes(buffer: Buffer): Uint8Array {
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

/**
 * The delivery journal in one local SQLite file: each delivery's exact bytes, headers and
 * lifecycle, durable when `record` returns (WAL, full fsync). The durable single-machine default;
 * for several machines use `postgresJournal` from `@hookgate/postgres`.
 *
 * @example
 * const journal = sqliteJournal({ path: "./hookgate.db" });
 * createReceiver({ scheme, journal, store: sqliteStore({ path: "./hookgate.db" }) });
 */
export function sqliteJournal(options: SqliteJournalOptions): SqliteJournal {
  const settings = resolveJournalOptions(options, "sqliteJournal");
  const t = tableName(options.table ?? "hookgate_deliveries", "sqliteJournal");
  const { db, owned } = openDatabase(options, "sqliteJournal");
  migrateLegacyTable(db, t);
  db.exec(sqliteJournalSql(t));
  addHistoryColumn(db, t);

  const insert = db.prepare(
    `INSERT INTO ${t} (key, id, tenant, scheme, type, status, received_at, updated_at, attempts, matched_secret, size, timestamp, url, headers, raw_body, params, seal)
     VALUES (@key, @id, @tenant, @scheme, @type, 'received', @receivedAt, @receivedAt, 0, @matchedSecret, @size, @timestamp, @url, @headers, @rawBody, @params, @seal)
     ON CONFLICT(key) DO UPDATE SET id = excluded.id, tenant = excluded.tenant, scheme = excluded.scheme, type = excluded.type, status = 'received',
       received_at = excluded.received_at, updated_at = excluded.updated_at, duration_ms = NULL,
       matched_secret = excluded.matched_secret, size = excluded.size, timestamp = excluded.timestamp,
       url = excluded.url, headers = excluded.headers, raw_body = excluded.raw_body, params = excluded.params, seal = excluded.seal`,
  );
  const update = db.prepare(
    `UPDATE ${t} SET status = @status, updated_at = @at, attempts = attempts + @ran,
       error_code = CASE WHEN @clearError = 1 THEN NULL ELSE COALESCE(@errorCode, error_code) END,
       error_message = CASE WHEN @clearError = 1 THEN NULL WHEN @errorCode IS NULL THEN error_message ELSE @errorMessage END,
       duration_ms = COALESCE(@durationMs, duration_ms),
       history = CASE WHEN @attempt IS NULL THEN history ELSE (
         SELECT CASE WHEN json_array_length(h) > ${JOURNAL_HISTORY_LIMIT} THEN json_remove(h, '$[0]') ELSE h END
         FROM (SELECT json_insert(COALESCE(history, '[]'), '$[#]', json(@attempt)) AS h)) END
     WHERE key = @key AND (@status <> 'queued' OR status = 'received')`,
  );
  const getOne = db.prepare<[string], SqlJournalEntryRow & { raw_body: Buffer }>(
    `SELECT * FROM ${t} WHERE key = ?`,
  );
  const countRejection = db.prepare(
    `INSERT INTO ${t}_rejections (minute, code, count) VALUES (?, ?, 1) ON CONFLICT(minute, code) DO UPDATE SET count = count + 1`,
  );
  const keepRejected = db.prepare(
    `INSERT INTO ${t}_rejected (code, at, url, headers, raw_body) VALUES (?, ?, ?, ?, ?)`,
  );
  const trimRejected = db.prepare(
    `DELETE FROM ${t}_rejected WHERE seq <= (SELECT MAX(seq) FROM ${t}_rejected) - ?`,
  );
  const prune = db.transaction((horizon: number) => {
    db.prepare(`DELETE FROM ${t} WHERE received_at < ?`).run(horizon);
    db.prepare(`DELETE FROM ${t}_rejections WHERE minute < ?`).run(horizon - 60_000);
    db.prepare(`DELETE FROM ${t}_rejected WHERE at < ?`).run(horizon);
  });
  // Records and status changes made together share one commit (one fsync), each settled after it.
  const commits = groupCommit(db);
  const pruneIfDue = () => {
    if (settings.pruneDue()) prune(settings.now().getTime() - settings.retainMs);
  };

  return {
    database: db,
    redactHeaders: settings.redactHeaders,
    keepRejected: settings.keepRejected,
    record(entry) {
      return commits.write(() => {
        pruneIfDue();
        insert.run({
          id: entry.id,
          key: entry.key,
          tenant: entry.tenant ?? null,
          scheme: entry.scheme,
          type: entry.type,
          receivedAt: entry.receivedAt.getTime(),
          matchedSecret: JSON.stringify(entry.matchedSecret),
          size: entry.rawBody.byteLength,
          timestamp: entry.timestamp?.getTime() ?? null,
          url: entry.url ?? null,
          headers: JSON.stringify(entry.headers),
          rawBody: Buffer.from(entry.rawBody.buffer, entry.rawBody.byteOffset, entry.rawBody.byteLength),
          params: entry.params === undefined ? null : JSON.stringify(entry.params),
          seal: entry.seal ?? null,
        });
      });
    },
    update(key, change) {
      const attempt = journalAttemptOf(change);
      return commits.write(
        () =>
          update.run({
            key,
            status: change.status,
            at: change.at.getTime(),
            ran: change.attempt ? 1 : 0,
            attempt: attempt === undefined ? null : journalAttemptJson(attempt),
            errorCode: change.error?.code ?? null,
            errorMessage: change.error?.message ?? null,
            durationMs: change.durationMs ?? null,
            clearError: change.clearError ? 1 : 0,
          }).changes > 0,
      );
    },
    reject(rejection) {
      // Grouped too: a flood of refused requests shares its commits instead of an fsync each.
      return commits.write(() => {
        pruneIfDue();
        countRejection.run(Math.floor(rejection.at.getTime() / 60_000) * 60_000, rejection.code);
        const { request } = rejection;
        if (request && settings.keepRejected > 0) {
          keepRejected.run(
            request.code,
            request.at.getTime(),
            request.url ?? null,
            JSON.stringify(request.headers),
            Buffer.from(request.rawBody.buffer, request.rawBody.byteOffset, request.rawBody.byteLength),
          );
          trimRejected.run(settings.keepRejected);
        }
      });
    },
    async get(key) {
      const row = getOne.get(key);
      return row && sqlJournalEntryOf(row, bytes(row.raw_body));
    },
    async list(filter = {}) {
      const limit = journalPageSize(filter.limit);
      const { sql, params } = sqlJournalWhere(filter);
      const rows = db
        .prepare<Array<string | number>, SqlJournalRow>(
          `SELECT ${SQL_JOURNAL_SUMMARY} FROM ${t} ${sql} ORDER BY received_at DESC, key DESC LIMIT ${limit + 1}`,
        )
        .all(...params);
      return journalPageOf(rows.map(sqlJournalSummaryOf), limit, (entry) => entry);
    },
    async stats(options = {}) {
      const since = options.since?.getTime() ?? Number.MIN_SAFE_INTEGER;
      return sqlJournalStats(t, since, (sql, param) => db.prepare<[number], never>(sql).all(param));
    },
    async rejections(options = {}) {
      const rows = db
        .prepare<
          [number, number],
          { code: string; at: number; url: string | null; headers: string; raw_body: Buffer }
        >(
          `SELECT code, at, url, headers, raw_body FROM ${t}_rejected WHERE at >= ? ORDER BY seq DESC LIMIT ?`,
        )
        .all(options.since?.getTime() ?? Number.MIN_SAFE_INTEGER, options.limit ?? -1);
      return rows.map((row) => ({
        code: row.code,
        at: new Date(row.at),
        url: row.url ?? undefined,
        headers: JSON.parse(row.headers),
        rawBody: bytes(row.raw_body),
      }));
    },
    async close() {
      commits.flush();
      if (owned && db.open) db.close();
    },
  };
}
