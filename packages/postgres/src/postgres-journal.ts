import type {
  DeliveryJournal,
  JournalEntry,
  JournalFilter,
  JournalOptions,
  JournalStatus,
  JournalSummary,
} from "@hookgate/core";
import {
  checkOption,
  countJournalMinute,
  decodeJournalCursor,
  emptyJournalStats,
  JOURNAL_HISTORY_LIMIT,
  journalAttemptJson,
  journalAttemptOf,
  journalHistoryOf,
  journalPageOf,
  journalPageSize,
  resolveJournalOptions,
} from "@hookgate/core/kit";
import { migrateOnce, type PostgresQuery, type PostgresQueryable, statementName } from "./internal/sql.js";
import { DEFAULT_JOURNAL_TABLE, journalTables, postgresJournalSql } from "./postgres-journal-sql.js";

/** Options for {@link postgresJournal}. */
export interface PostgresJournalOptions extends JournalOptions {
  /** Where the statements run: a `pg.Pool` (recommended), a `pg.Client`, or anything with `pg`'s `query`. */
  pool: PostgresQueryable;
  /**
   * The deliveries table, optionally schema-qualified; refusals go in `<table>_rejections` and
   * `<table>_rejected`. @default "hookgate_deliveries"
   */
  table?: string;
  /** Send the fixed statements as named prepared statements (off for PgBouncer < 1.21 in transaction mode). @default true */
  prepare?: boolean;
}

/** A {@link postgresJournal}: the journal contract plus its table set-up. */
export interface PostgresJournal extends DeliveryJournal {
  readonly table: string;
  /** Creates the tables and indexes if missing; idempotent and safe from several instances at once. */
  migrate(): Promise<void>;
}

interface SummaryRow {
  id: string;
  key: string;
  tenant: string | null;
  scheme: string;
  type: string;
  status: JournalStatus;
  received_at: Date;
  updated_at: Date;
  attempts: number;
  error_code: string | null;
  error_message: string | null;
  duration_ms: number | null;
  matched_secret: { index: number; id?: string };
  size: number;
}

interface EntryRow extends SummaryRow {
  timestamp: Date | null;
  url: string | null;
  headers: Record<string, string>;
  raw_body: Buffer;
  params: Record<string, string> | null;
  seal: string | null;
  /** Absent before `migrate()` added the column. */
  history?: unknown;
}

const SUMMARY =
  "id, key, tenant, scheme, type, status, received_at, updated_at, attempts, error_code, error_message, duration_ms, matched_secret, size";

function summaryOf(row: SummaryRow): JournalSummary {
  return {
    id: row.id,
    key: row.key,
    tenant: row.tenant ?? undefined,
    scheme: row.scheme,
    type: row.type,
    status: row.status,
    receivedAt: row.received_at,
    updatedAt: row.updated_at,
    attempts: row.attempts,
    lastError:
      row.error_code === null ? undefined : { code: row.error_code, message: row.error_message ?? "" },
    durationMs: row.duration_ms ?? undefined,
    matchedSecret: row.matched_secret,
    size: row.size,
  };
}

/** A handler's text as PostgreSQL's `text` takes it: a NUL (which it refuses) becomes U+FFFD. */
const textOf = (text: string | undefined) => (text === undefined ? null : text.replace(/\0/g, "\ufffd"));
const buffer = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
const bytes = (b: Buffer) => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);

/**
 * The delivery journal in PostgreSQL: each delivery's exact bytes (`bytea`), headers and
 * lifecycle, one statement per call, durable when it resolves. Old rows are deleted as new ones
 * are written (`retainMs`), no daemon. Call `migrate()` once at start-up, or run
 * `postgresJournalSql(table)` in your own migrations.
 *
 * @example
 * const journal = postgresJournal({ pool });
 * await journal.migrate();
 * createReceiver({ scheme, store: postgresStore({ pool }), journal });
 */
export function postgresJournal(options: PostgresJournalOptions): PostgresJournal {
  const settings = resolveJournalOptions(options, "postgresJournal");
  const { pool } = options;
  if (!pool || typeof pool.query !== "function") {
    throw checkOption.fail(
      "postgresJournal option pool",
      pool,
      "a pg.Pool, a pg.Client or anything with its query method",
    );
  }
  const table = options.table ?? DEFAULT_JOURNAL_TABLE;
  const { deliveries: t, rejections: r, rejected: k } = journalTables(table);
  const prepare = checkOption.boolean("postgresJournal option prepare", options.prepare, true);
  const fixed = {
    record: `INSERT INTO ${t.quoted} AS d (id, key, scheme, type, status, received_at, updated_at, attempts, matched_secret, size, "timestamp", url, headers, raw_body, tenant, params, seal)
VALUES ($1, $2, $3, $4, 'received', $5, $5, 0, $6, $7, $8, $9, $10, $11, $12, $13, $14)
ON CONFLICT (key) DO UPDATE SET id = excluded.id, scheme = excluded.scheme, type = excluded.type, status = 'received',
  received_at = excluded.received_at, updated_at = excluded.updated_at, duration_ms = NULL, matched_secret = excluded.matched_secret,
  size = excluded.size, "timestamp" = excluded."timestamp", url = excluded.url, headers = excluded.headers, raw_body = excluded.raw_body,
  tenant = excluded.tenant, params = excluded.params, seal = excluded.seal`,
    update: `UPDATE ${t.quoted} SET status = $2, updated_at = $3, attempts = attempts + $4::integer,
  error_code = CASE WHEN $8::boolean THEN NULL ELSE COALESCE($5, error_code) END,
  error_message = CASE WHEN $8::boolean THEN NULL WHEN $5::text IS NULL THEN error_message ELSE $6 END,
  duration_ms = COALESCE($7, duration_ms),
  history = CASE WHEN $9::jsonb IS NULL THEN history ELSE (
    SELECT jsonb_agg(a.item ORDER BY a.n) FROM (
      SELECT item, n FROM jsonb_array_elements(COALESCE(history, '[]'::jsonb) || jsonb_build_array($9::jsonb))
        WITH ORDINALITY AS e(item, n)
      ORDER BY n DESC LIMIT ${JOURNAL_HISTORY_LIMIT}) AS a) END
WHERE key = $1 AND ($2 <> 'queued' OR status = 'received') RETURNING key`,
    get: `SELECT * FROM ${t.quoted} WHERE key = $1`,
    reject: `INSERT INTO ${r.quoted} AS r (minute, code, count) VALUES (date_trunc('minute', $1::timestamptz), $2, 1)
ON CONFLICT (minute, code) DO UPDATE SET count = r.count + 1`,
    keep: `WITH kept AS (INSERT INTO ${k.quoted} (code, at, url, headers, raw_body) VALUES ($1, $2, $3, $4, $5) RETURNING seq)
DELETE FROM ${k.quoted} WHERE seq <= (SELECT seq FROM kept) - $6::integer`,
    prune: `WITH a AS (DELETE FROM ${t.quoted} WHERE received_at < $1),
b AS (DELETE FROM ${r.quoted} WHERE minute < $1::timestamptz - interval '1 minute')
DELETE FROM ${k.quoted} WHERE at < $1`,
  };
  const names = Object.fromEntries(
    Object.entries(fixed).map(([label, text]) => [label, statementName(`journal_${label}`, text)]),
  );
  const run = <T>(label: keyof typeof fixed, values: unknown[]) => {
    const query: PostgresQuery = { text: fixed[label], values };
    if (prepare) query.name = names[label]!;
    return pool.query(query) as Promise<{ rows: T[] }>;
  };
  async function pruneIfDue(): Promise<void> {
    if (settings.pruneDue()) await run("prune", [new Date(settings.now().getTime() - settings.retainMs)]);
  }

  function where(filter: JournalFilter): { sql: string; values: unknown[] } {
    const clauses: string[] = [];
    const values: unknown[] = [];
    if (filter.status !== undefined) {
      values.push(typeof filter.status === "string" ? [filter.status] : [...filter.status]);
      clauses.push(`status = ANY($${values.length}::text[])`);
    }
    if (filter.type !== undefined) {
      values.push(filter.type);
      clauses.push(`type = $${values.length}`);
    }
    if (filter.id !== undefined) {
      values.push(filter.id);
      clauses.push(`id = $${values.length}`);
    }
    if (filter.tenant !== undefined) {
      values.push(filter.tenant);
      clauses.push(`tenant = $${values.length}`);
    }
    if (filter.scheme !== undefined) {
      values.push(filter.scheme);
      clauses.push(`scheme = $${values.length}`);
    }
    if (filter.since) {
      values.push(filter.since);
      clauses.push(`received_at >= $${values.length}`);
    }
    if (filter.until) {
      values.push(filter.until);
      clauses.push(`received_at < $${values.length}`);
    }
    if (filter.cursor !== undefined) {
      const cursor = decodeJournalCursor(filter.cursor);
      values.push(new Date(cursor.receivedAt), cursor.key);
      clauses.push(`(received_at, key) < ($${values.length - 1}, $${values.length})`);
    }
    return { sql: clauses.length ? `WHERE ${clauses.join(" AND ")}` : "", values };
  }

  return {
    table,
    redactHeaders: settings.redactHeaders,
    keepRejected: settings.keepRejected,
    migrate: () => migrateOnce(pool, t, postgresJournalSql(table)),
    async record(entry) {
      await pruneIfDue();
      await run("record", [
        entry.id,
        entry.key,
        entry.scheme,
        entry.type,
        entry.receivedAt,
        JSON.stringify(entry.matchedSecret),
        entry.rawBody.byteLength,
        entry.timestamp ?? null,
        entry.url ?? null,
        JSON.stringify(entry.headers),
        buffer(entry.rawBody),
        entry.tenant ?? null,
        entry.params === undefined ? null : JSON.stringify(entry.params),
        entry.seal ?? null,
      ]);
    },
    async update(key, change) {
      const attempt = journalAttemptOf(change);
      const { rows } = await run("update", [
        key,
        change.status,
        change.at,
        change.attempt ? 1 : 0,
        textOf(change.error?.code),
        textOf(change.error?.message),
        change.durationMs ?? null,
        change.clearError === true,
        attempt === undefined ? null : journalAttemptJson(attempt),
      ]);
      return rows.length > 0;
    },
    async reject(rejection) {
      await pruneIfDue();
      await run("reject", [rejection.at, rejection.code]);
      const { request } = rejection;
      if (request && settings.keepRejected > 0) {
        await run("keep", [
          request.code,
          request.at,
          request.url ?? null,
          JSON.stringify(request.headers),
          buffer(request.rawBody),
          settings.keepRejected,
        ]);
      }
    },
    async get(key) {
      const { rows } = await run<EntryRow>("get", [key]);
      const row = rows[0];
      if (!row) return undefined;
      const entry: JournalEntry = {
        ...summaryOf(row),
        rawBody: bytes(row.raw_body),
        headers: row.headers,
        url: row.url ?? undefined,
        timestamp: row.timestamp ?? undefined,
        params: row.params ?? undefined,
        seal: row.seal ?? undefined,
        history: journalHistoryOf(row.history),
      };
      return entry;
    },
    async list(filter = {}) {
      const limit = journalPageSize(filter.limit);
      const { sql, values } = where(filter);
      const { rows } = (await pool.query({
        text: `SELECT ${SUMMARY} FROM ${t.quoted} ${sql} ORDER BY received_at DESC, key DESC LIMIT ${limit + 1}`,
        values,
      })) as { rows: SummaryRow[] };
      return journalPageOf(rows.map(summaryOf), limit, (entry) => entry);
    },
    async stats(options = {}) {
      const since = options.since ?? new Date(0);
      const stats = emptyJournalStats();
      const [counts, times, refusals, minutes] = await Promise.all([
        pool.query({
          text: `SELECT status, type, count(*)::integer AS n FROM ${t.quoted} WHERE received_at >= $1 GROUP BY status, type`,
          values: [since],
        }) as Promise<{ rows: Array<{ status: JournalStatus; type: string; n: number }> }>,
        // percentile_disc is nearest rank, as memoryJournal computes it.
        pool.query({
          text: `SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY duration_ms) AS p50, percentile_disc(0.99) WITHIN GROUP (ORDER BY duration_ms) AS p99
FROM ${t.quoted} WHERE status = 'handled' AND duration_ms IS NOT NULL AND received_at >= $1`,
          values: [since],
        }) as Promise<{ rows: Array<{ p50: number | null; p99: number | null }> }>,
        pool.query({
          text: `SELECT code, sum(count)::integer AS n FROM ${r.quoted} WHERE minute > $1::timestamptz - interval '1 minute' GROUP BY code`,
          values: [since],
        }) as Promise<{ rows: Array<{ code: string; n: number }> }>,
        pool.query({
          text: `SELECT date_trunc('minute', received_at) AS minute, status, count(*)::integer AS n FROM ${t.quoted} WHERE received_at >= $1 GROUP BY 1, 2 ORDER BY 1`,
          values: [since],
        }) as Promise<{ rows: Array<{ minute: Date; status: JournalStatus; n: number }> }>,
      ]);
      for (const row of minutes.rows) countJournalMinute(stats, row.minute.getTime(), row.status, row.n);
      for (const row of counts.rows) {
        stats.total += row.n;
        stats.byStatus[row.status] += row.n;
        stats.byType[row.type] = (stats.byType[row.type] ?? 0) + row.n;
      }
      stats.handlingMs = { p50: times.rows[0]?.p50 ?? undefined, p99: times.rows[0]?.p99 ?? undefined };
      for (const row of refusals.rows) stats.rejected[row.code] = row.n;
      return stats;
    },
    async rejections(options = {}) {
      const { rows } = (await pool.query({
        text: `SELECT code, at, url, headers, raw_body FROM ${k.quoted} WHERE at >= $1 ORDER BY seq DESC LIMIT $2`,
        values: [options.since ?? new Date(0), options.limit ?? null],
      })) as {
        rows: Array<{
          code: string;
          at: Date;
          url: string | null;
          headers: Record<string, string>;
          raw_body: Buffer;
        }>;
      };
      return rows.map((row) => ({
        code: row.code,
        at: row.at,
        url: row.url ?? undefined,
        headers: row.headers,
        rawBody: bytes(row.raw_body),
      }));
    },
  };
}
