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
import type { D1DatabaseBinding } from "./internal/bindings.js";
import { appendHistory, blobBytes, blobOf, historyColumn, journalSchema } from "./internal/journal-sql.js";
import { checkD1, tableName } from "./internal/table-name.js";

/** Options for {@link d1Journal}. */
export interface D1JournalOptions extends JournalOptions {
  /** The D1 binding, e.g. `env.DB`. */
  database: D1DatabaseBinding;
  /** The deliveries table; refusals go in `${table}_rejections` and `${table}_rejected`. @default "hookgate_deliveries" */
  table?: string;
}

/** A journal over D1, with its idempotent table set-up. */
export interface D1Journal extends DeliveryJournal {
  /** Creates the tables if missing; every call runs it once first, so calling it is optional. */
  setup(): Promise<void>;
}

/**
 * The delivery journal in Cloudflare D1: each delivery's exact bytes, headers and lifecycle,
 * durable when `record` resolves, readable by every Worker bound to the database (and by
 * `hookgate deliveries` over D1's export). The same tables as `@hookgate/sqlite`'s journal.
 *
 * @example
 * createReceiver({ scheme, journal: d1Journal({ database: env.DB }), store: d1Store({ database: env.DB }) });
 */
export function d1Journal(options: D1JournalOptions): D1Journal {
  const settings = resolveJournalOptions(options, "d1Journal");
  checkD1(options.database, "d1Journal");
  const db = options.database;
  const t = tableName(options.table ?? "hookgate_deliveries", "d1Journal");
  // A flag, not a shared promise: a promise of D1 I/O made in one request must not be awaited
  // by another (workerd ties I/O to its request), and CREATE … IF NOT EXISTS may run twice.
  let ready = false;
  const setup = async () => {
    if (ready) return;
    await db.batch(journalSchema(t).map((sql) => db.prepare(sql)));
    // A table made before `history` existed gains it; another Worker adding it first is fine.
    const add = historyColumn(
      t,
      (await db.prepare(`PRAGMA table_info(${t})`).all<{ name: string }>()).results,
    );
    if (add) {
      try {
        await db.prepare(add).run();
      } catch (error) {
        if (!/duplicate column/i.test(error instanceof Error ? error.message : String(error))) throw error;
      }
    }
    ready = true;
  };
  const pruneStatements = () => {
    if (!settings.pruneDue()) return [];
    const horizon = settings.now().getTime() - settings.retainMs;
    return [
      db.prepare(`DELETE FROM ${t} WHERE received_at < ?1`).bind(horizon),
      db.prepare(`DELETE FROM ${t}_rejections WHERE minute < ?1`).bind(horizon - 60_000),
      db.prepare(`DELETE FROM ${t}_rejected WHERE at < ?1`).bind(horizon),
    ];
  };
  const all = async <T>(sql: string, params: unknown[]) => {
    await setup();
    return (
      await db
        .prepare(sql)
        .bind(...params)
        .all<T>()
    ).results;
  };

  return {
    setup,
    redactHeaders: settings.redactHeaders,
    keepRejected: settings.keepRejected,
    async record(entry) {
      await setup();
      const insert = db
        .prepare(
          `INSERT INTO ${t} (key, id, tenant, scheme, type, status, received_at, updated_at, attempts, matched_secret, size, timestamp, url, headers, raw_body, params, seal)
           VALUES (?1, ?2, ?3, ?4, ?5, 'received', ?6, ?6, 0, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
           ON CONFLICT(key) DO UPDATE SET id = excluded.id, tenant = excluded.tenant, scheme = excluded.scheme, type = excluded.type, status = 'received',
             received_at = excluded.received_at, updated_at = excluded.updated_at, duration_ms = NULL,
             matched_secret = excluded.matched_secret, size = excluded.size, timestamp = excluded.timestamp,
             url = excluded.url, headers = excluded.headers, raw_body = excluded.raw_body, params = excluded.params, seal = excluded.seal`,
        )
        .bind(
          entry.key,
          entry.id,
          entry.tenant ?? null,
          entry.scheme,
          entry.type,
          entry.receivedAt.getTime(),
          JSON.stringify(entry.matchedSecret),
          entry.rawBody.byteLength,
          entry.timestamp?.getTime() ?? null,
          entry.url ?? null,
          JSON.stringify(entry.headers),
          blobOf(entry.rawBody),
          entry.params === undefined ? null : JSON.stringify(entry.params),
          entry.seal ?? null,
        );
      await db.batch([...pruneStatements(), insert]);
    },
    async update(key, change) {
      await setup();
      const attempt = journalAttemptOf(change);
      const result = await db
        .prepare(
          `UPDATE ${t} SET status = ?2, updated_at = ?3, attempts = attempts + ?4,
             error_code = CASE WHEN ?8 = 1 THEN NULL ELSE COALESCE(?5, error_code) END,
             error_message = CASE WHEN ?8 = 1 THEN NULL WHEN ?5 IS NULL THEN error_message ELSE ?6 END,
             duration_ms = COALESCE(?7, duration_ms),
             ${appendHistory("?9", JOURNAL_HISTORY_LIMIT)}
           WHERE key = ?1 AND (?2 <> 'queued' OR status = 'received')`,
        )
        .bind(
          key,
          change.status,
          change.at.getTime(),
          change.attempt ? 1 : 0,
          change.error?.code ?? null,
          change.error?.message ?? null,
          change.durationMs ?? null,
          change.clearError ? 1 : 0,
          attempt === undefined ? null : journalAttemptJson(attempt),
        )
        .run();
      return (result.meta.changes ?? 0) > 0;
    },
    async reject(rejection) {
      await setup();
      const statements = [
        ...pruneStatements(),
        db
          .prepare(
            `INSERT INTO ${t}_rejections (minute, code, count) VALUES (?1, ?2, 1) ON CONFLICT(minute, code) DO UPDATE SET count = count + 1`,
          )
          .bind(Math.floor(rejection.at.getTime() / 60_000) * 60_000, rejection.code),
      ];
      const { request } = rejection;
      if (request && settings.keepRejected > 0) {
        statements.push(
          db
            .prepare(
              `INSERT INTO ${t}_rejected (code, at, url, headers, raw_body) VALUES (?1, ?2, ?3, ?4, ?5)`,
            )
            .bind(
              request.code,
              request.at.getTime(),
              request.url ?? null,
              JSON.stringify(request.headers),
              blobOf(request.rawBody),
            ),
          db
            .prepare(`DELETE FROM ${t}_rejected WHERE seq <= (SELECT MAX(seq) FROM ${t}_rejected) - ?1`)
            .bind(settings.keepRejected),
        );
      }
      await db.batch(statements);
    },
    async get(key) {
      const [row] = await all<SqlJournalEntryRow>(`SELECT * FROM ${t} WHERE key = ?1`, [key]);
      return row && sqlJournalEntryOf(row, blobBytes(row.raw_body));
    },
    async list(filter = {}) {
      const limit = journalPageSize(filter.limit);
      const { sql, params } = sqlJournalWhere(filter);
      const rows = await all<SqlJournalRow>(
        `SELECT ${SQL_JOURNAL_SUMMARY} FROM ${t} ${sql} ORDER BY received_at DESC, key DESC LIMIT ${limit + 1}`,
        params,
      );
      return journalPageOf(rows.map(sqlJournalSummaryOf), limit, (entry) => entry);
    },
    async stats(options = {}) {
      const since = options.since?.getTime() ?? Number.MIN_SAFE_INTEGER;
      return sqlJournalStats(t, since, <Row>(sql: string, param: number) => all<Row>(sql, [param]));
    },
    async rejections(options = {}) {
      const rows = await all<{
        code: string;
        at: number;
        url: string | null;
        headers: string;
        raw_body: unknown;
      }>(
        `SELECT code, at, url, headers, raw_body FROM ${t}_rejected WHERE at >= ?1 ORDER BY seq DESC LIMIT ?2`,
        [options.since?.getTime() ?? Number.MIN_SAFE_INTEGER, options.limit ?? -1],
      );
      return rows.map((row) => ({
        code: row.code,
        at: new Date(row.at),
        url: row.url ?? undefined,
        headers: JSON.parse(row.headers),
        rawBody: blobBytes(row.raw_body),
      }));
    },
  };
}
