// The SQLite journal's rows, read the same way by every engine that stores them: better-sqlite3
// (`@hookgate/sqlite`) and Cloudflare D1 (`@hookgate/cloudflare`). Every statement here takes
// anonymous `?` parameters, which both engines bind in order.
import type { JournalEntry, JournalFilter, JournalStats, JournalStatus, JournalSummary } from "../journal.js";
import { decodeJournalCursor } from "./cursor.js";
import { journalHistoryOf } from "./history.js";
import { countJournalMinute, emptyJournalStats } from "./stats.js";

/** A deliveries row's summary columns (`SQL_JOURNAL_SUMMARY`), as SQLite returns them. */
export interface SqlJournalRow {
  id: string;
  key: string;
  tenant: string | null;
  scheme: string;
  type: string;
  status: JournalStatus;
  received_at: number;
  updated_at: number;
  attempts: number;
  error_code: string | null;
  error_message: string | null;
  duration_ms: number | null;
  matched_secret: string;
  size: number;
}

/** A whole deliveries row (`SELECT *`); `raw_body` is whatever BLOB form the engine returns. */
export interface SqlJournalEntryRow extends SqlJournalRow {
  timestamp: number | null;
  url: string | null;
  headers: string;
  raw_body: unknown;
  params: string | null;
  seal: string | null;
  history: string | null;
}

/** The columns `list` selects: everything of a row but its bytes, headers and history. */
export const SQL_JOURNAL_SUMMARY =
  "id, key, tenant, scheme, type, status, received_at, updated_at, attempts, error_code, error_message, duration_ms, matched_secret, size";

/** A summary row → the {@link JournalSummary} `list` returns. */
export function sqlJournalSummaryOf(row: SqlJournalRow): JournalSummary {
  return {
    id: row.id,
    key: row.key,
    tenant: row.tenant ?? undefined,
    scheme: row.scheme,
    type: row.type,
    status: row.status,
    receivedAt: new Date(row.received_at),
    updatedAt: new Date(row.updated_at),
    attempts: row.attempts,
    lastError:
      row.error_code === null ? undefined : { code: row.error_code, message: row.error_message ?? "" },
    durationMs: row.duration_ms ?? undefined,
    matchedSecret: JSON.parse(row.matched_secret),
    size: row.size,
  };
}

/** A whole row and its body's bytes (read from `raw_body` by the engine) → the {@link JournalEntry} `get` returns. */
export function sqlJournalEntryOf(row: SqlJournalEntryRow, rawBody: Uint8Array): JournalEntry {
  return {
    ...sqlJournalSummaryOf(row),
    rawBody,
    headers: JSON.parse(row.headers),
    url: row.url ?? undefined,
    timestamp: row.timestamp === null ? undefined : new Date(row.timestamp),
    params: row.params === null ? undefined : JSON.parse(row.params),
    seal: row.seal ?? undefined,
    history: journalHistoryOf(row.history),
  };
}

/** The `WHERE` clause (empty when nothing filters) and its `?` parameters, in order, for a `list` filter. */
export function sqlJournalWhere(filter: JournalFilter): { sql: string; params: Array<string | number> } {
  const clauses: string[] = [];
  const params: Array<string | number> = [];
  const equal = (column: string, value: string | undefined) => {
    if (value === undefined) return;
    clauses.push(`${column} = ?`);
    params.push(value);
  };
  if (filter.status !== undefined) {
    const statuses = typeof filter.status === "string" ? [filter.status] : [...filter.status];
    clauses.push(`status IN (${statuses.map(() => "?").join(", ") || "NULL"})`);
    params.push(...statuses);
  }
  equal("type", filter.type);
  equal("id", filter.id);
  equal("tenant", filter.tenant);
  equal("scheme", filter.scheme);
  if (filter.since) {
    clauses.push("received_at >= ?");
    params.push(filter.since.getTime());
  }
  if (filter.until) {
    clauses.push("received_at < ?");
    params.push(filter.until.getTime());
  }
  if (filter.cursor !== undefined) {
    const cursor = decodeJournalCursor(filter.cursor);
    clauses.push("(received_at < ? OR (received_at = ? AND key < ?))");
    params.push(cursor.receivedAt, cursor.receivedAt, cursor.key);
  }
  return { sql: clauses.length ? `WHERE ${clauses.join(" AND ")}` : "", params };
}

/** Runs one statement with one `?` parameter and resolves with its rows. */
export type SqlJournalQuery = <Row>(sql: string, since: number) => Row[] | Promise<Row[]>;

/**
 * The journal's `stats({ since })` over the tables `t` (`t`, `t_rejections`), read with four
 * statements through `all`: counts by status and type, deliveries per minute, the handling-time
 * percentiles (nearest rank, as `memoryJournal` computes them, ranked in SQL so only two rows come
 * back) and refusals by code.
 */
export async function sqlJournalStats(t: string, since: number, all: SqlJournalQuery): Promise<JournalStats> {
  const stats = emptyJournalStats();
  const counts = await all<{ status: JournalStatus; type: string; n: number }>(
    `SELECT status, type, COUNT(*) AS n FROM ${t} WHERE received_at >= ? GROUP BY status, type`,
    since,
  );
  for (const row of counts) {
    stats.total += row.n;
    stats.byStatus[row.status] += row.n;
    stats.byType[row.type] = (stats.byType[row.type] ?? 0) + row.n;
  }
  const minutes = await all<{ minute: number; status: JournalStatus; n: number }>(
    `SELECT (received_at / 60000) * 60000 AS minute, status, COUNT(*) AS n FROM ${t} WHERE received_at >= ? GROUP BY minute, status ORDER BY minute`,
    since,
  );
  for (const row of minutes) countJournalMinute(stats, row.minute, row.status, row.n);
  // Nearest rank: the value at rank max(1, ceil(q·n)), ceil(p·n / 100) in integers.
  const ranked = await all<{ d: number; r: number; p50: number; p99: number }>(
    `SELECT d, r, p50, p99 FROM (SELECT duration_ms AS d, ROW_NUMBER() OVER (ORDER BY duration_ms) AS r,
       MAX(1, (50 * COUNT(*) OVER () + 99) / 100) AS p50, MAX(1, (99 * COUNT(*) OVER () + 99) / 100) AS p99
       FROM ${t} WHERE status = 'handled' AND duration_ms IS NOT NULL AND received_at >= ?)
     WHERE r = p50 OR r = p99`,
    since,
  );
  stats.handlingMs = {
    p50: ranked.find((row) => row.r === row.p50)?.d,
    p99: ranked.find((row) => row.r === row.p99)?.d,
  };
  const rejected = await all<{ code: string; n: number }>(
    `SELECT code, SUM(count) AS n FROM ${t}_rejections WHERE minute > ? - 60000 GROUP BY code`,
    since,
  );
  for (const row of rejected) stats.rejected[row.code] = row.n;
  return stats;
}
