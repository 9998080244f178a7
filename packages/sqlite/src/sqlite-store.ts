import { randomUUID } from "node:crypto";
import { type IdempotencyStore, WebhookError } from "@hookgate/core";
import { checkOption } from "@hookgate/core/kit";
import { openDatabase, type SqliteDatabase, type SqliteTarget, tableName } from "./internal/database.js";

/** Options for {@link sqliteStore}. */
export interface SqliteStoreOptions extends SqliteTarget {
  /**
   * The table keys live in; bindings (`bind`) live in `<table>_bind`, watermarks (`advance`) in
   * `<table>_order`. @default "hookgate_keys"
   */
  table?: string;
  /** The clock, in ms. @default Date.now */
  now?: () => number;
}

/** A store over SQLite, with a way to close the file it opened. */
export interface SqliteStore extends IdempotencyStore {
  /** The better-sqlite3 database it writes to. */
  readonly database: SqliteDatabase;
  /** Closes the database if the store opened it (from `path`). */
  close(): Promise<void>;
}

interface Row {
  token: string;
  completed: number;
  expires_at: number;
}

/** How often expired keys are deleted at most, in ms. */
const PRUNE_EVERY_MS = 60_000;

/**
 * The idempotency store in one local SQLite file: durable across restarts, shared by every
 * process on the machine that opens the same file (claims are atomic: `BEGIN IMMEDIATE`). For
 * several machines use `@hookgate/redis` or `@hookgate/postgres`.
 *
 * @example
 * createReceiver({ scheme, store: sqliteStore({ path: "./hookgate.db" }) })
 */
export function sqliteStore(options: SqliteStoreOptions): SqliteStore {
  const now = checkOption.callback("sqliteStore option now", options?.now) ?? Date.now;
  const table = tableName(options?.table ?? "hookgate_keys", "sqliteStore");
  const { db, owned } = openDatabase(options, "sqliteStore");
  db.exec(
    `CREATE TABLE IF NOT EXISTS ${table} (key TEXT PRIMARY KEY, token TEXT NOT NULL, completed INTEGER NOT NULL, expires_at INTEGER NOT NULL) WITHOUT ROWID`,
  );
  const select = db.prepare<[string], Row>(`SELECT token, completed, expires_at FROM ${table} WHERE key = ?`);
  const upsert = db.prepare<[string, string, number, number]>(
    `INSERT INTO ${table} (key, token, completed, expires_at) VALUES (?, ?, ?, ?)
     ON CONFLICT(key) DO UPDATE SET token = excluded.token, completed = excluded.completed, expires_at = excluded.expires_at`,
  );
  const remove = db.prepare<[string, string]>(
    `DELETE FROM ${table} WHERE key = ? AND token = ? AND completed = 0`,
  );
  const prune = db.prepare<[number]>(`DELETE FROM ${table} WHERE expires_at <= ?`);
  let lastPrune = Number.NEGATIVE_INFINITY;

  // Bindings have their own table, so a binding never meets a claim of the same key. Keys and
  // values are stored as JSON strings: exact for any JavaScript string, lone surrogates included
  // (which UTF-8 cannot carry). A live row keeps its value, and its expiry unless `refresh`; an
  // expired one is taken as if absent. One statement, in a write transaction with the pruning.
  const bindings = `${table}_bind`;
  db.exec(
    `CREATE TABLE IF NOT EXISTS ${bindings} (key TEXT PRIMARY KEY, value TEXT NOT NULL, expires_at INTEGER NOT NULL) WITHOUT ROWID`,
  );
  const upsertBinding = db.prepare<
    [{ key: string; value: string; at: number; expiresAt: number; refresh: number }],
    { value: string }
  >(
    `INSERT INTO ${bindings} (key, value, expires_at) VALUES (@key, @value, @expiresAt)
     ON CONFLICT(key) DO UPDATE SET
       value = CASE WHEN expires_at <= @at THEN excluded.value ELSE value END,
       expires_at = CASE WHEN expires_at <= @at OR @refresh THEN excluded.expires_at ELSE expires_at END
     RETURNING value`,
  );
  const pruneBindings = db.prepare<[number]>(`DELETE FROM ${bindings} WHERE expires_at <= ?`);
  let lastBindingPrune = Number.NEGATIVE_INFINITY;

  // Watermarks (`ordering`) too: one row per resource, its time in ms. One upsert that moves it
  // only forward (or over an expired one); SQLite runs each statement alone, so it is atomic.
  const watermarks = `${table}_order`;
  db.exec(
    `CREATE TABLE IF NOT EXISTS ${watermarks} (key TEXT PRIMARY KEY, at INTEGER NOT NULL, expires_at INTEGER NOT NULL) WITHOUT ROWID`,
  );
  const advanceWatermark = db.prepare<
    [{ key: string; at: number; now: number; expiresAt: number }],
    { at: number }
  >(
    `INSERT INTO ${watermarks} (key, at, expires_at) VALUES (@key, @at, @expiresAt)
     ON CONFLICT(key) DO UPDATE SET at = excluded.at, expires_at = excluded.expires_at
       WHERE at <= excluded.at OR expires_at <= @now
     RETURNING at`,
  );
  const readWatermark = db.prepare<[string, number], { at: number }>(
    `SELECT at FROM ${watermarks} WHERE key = ? AND expires_at > ?`,
  );
  const pruneWatermarks = db.prepare<[number]>(`DELETE FROM ${watermarks} WHERE expires_at <= ?`);
  let lastWatermarkPrune = Number.NEGATIVE_INFINITY;

  /** Whether `token` holds the key, or it is free for it to take back (memoryStore's rule). */
  function holds(row: Row | undefined, token: string, at: number): boolean {
    if (!row) return true;
    if (row.completed) return row.expires_at <= at;
    return row.token === token || row.expires_at <= at;
  }

  // IMMEDIATE takes the write lock first, so two processes never both read "free" and claim.
  const claim = db.transaction((key: string, lockMs: number) => {
    const at = now();
    if (at - lastPrune >= PRUNE_EVERY_MS) {
      lastPrune = at;
      prune.run(at);
    }
    const row = select.get(key);
    if (row && row.expires_at > at)
      return row.completed ? ({ status: "completed" } as const) : ({ status: "in-flight" } as const);
    const token = randomUUID();
    upsert.run(key, token, 0, at + lockMs);
    return { status: "claimed", token } as const;
  });
  const take = db.transaction((key: string, token: string, completed: number, ms: number) => {
    const at = now();
    if (!holds(select.get(key), token, at)) return false;
    upsert.run(key, token, completed, at + ms);
    return true;
  });

  const bind = db.transaction((key: string, value: string, ttlMs: number, refresh: boolean) => {
    const at = now();
    if (at - lastBindingPrune >= PRUNE_EVERY_MS) {
      lastBindingPrune = at;
      pruneBindings.run(at);
    }
    const row = upsertBinding.get({
      key: JSON.stringify(key),
      value: JSON.stringify(value),
      at,
      expiresAt: at + ttlMs,
      refresh: refresh ? 1 : 0,
    });
    return JSON.parse(row!.value) as string;
  });

  return {
    database: db,
    async claim(key, { lockMs }) {
      return claim.immediate(key, lockMs);
    },
    async extend(key, token, { lockMs }) {
      return take.immediate(key, token, 0, lockMs);
    },
    async complete(key, token, { ttlMs }) {
      return take.immediate(key, token, 1, ttlMs);
    },
    async release(key, token) {
      remove.run(key, token);
    },
    async bind(key, value, { ttlMs, refresh }) {
      if (!Number.isFinite(ttlMs) || ttlMs <= 0) {
        throw new WebhookError(
          "invalid_option",
          `hookgate: sqliteStore bind ttlMs must be a positive number of ms, got ${String(ttlMs)}`,
        );
      }
      return bind.immediate(key, value, ttlMs, refresh === true);
    },
    async watermark(key) {
      return readWatermark.get(JSON.stringify(key), now())?.at;
    },
    async advance(key, at, { ttlMs }) {
      if (!Number.isSafeInteger(at) || !Number.isFinite(ttlMs) || ttlMs <= 0) {
        throw new WebhookError(
          "invalid_option",
          `hookgate: sqliteStore advance needs a whole number of ms and a positive ttlMs, got ${String(at)} and ${String(ttlMs)}`,
        );
      }
      const clock = now();
      if (clock - lastWatermarkPrune >= PRUNE_EVERY_MS) {
        lastWatermarkPrune = clock;
        pruneWatermarks.run(clock);
      }
      return (
        advanceWatermark.get({ key: JSON.stringify(key), at, now: clock, expiresAt: clock + ttlMs }) !==
        undefined
      );
    },
    async close() {
      if (owned && db.open) db.close();
    },
  };
}
