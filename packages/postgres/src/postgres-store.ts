import { type Claim, type IdempotencyStore, WebhookError } from "@hookgate/core";
import { checkOption } from "@hookgate/core/kit";
import {
  migrateOnce,
  type PostgresQuery,
  type PostgresQueryable,
  statementName,
  tableName,
} from "./internal/sql.js";
import {
  bindTableName,
  DEFAULT_STORE_TABLE,
  orderTableName,
  postgresStoreSql,
} from "./postgres-store-sql.js";

/** Options for {@link postgresStore}. */
export interface PostgresStoreOptions {
  /**
   * Where the statements run: a `pg.Pool` (recommended; give it a `statement_timeout` and an
   * `error` listener), a `pg.Client`, or anything with the same `query(text, values)`.
   */
  pool: PostgresQueryable;
  /** The table, optionally schema-qualified; used exactly as written (quoted). @default "hookgate_idempotency" */
  table?: string;
  /**
   * Expired rows each successful claim deletes, at most (and each bind, of the bindings table),
   * so the tables stay the size of the live keys without a cleanup job. 0 turns it off (prune
   * `expires_at < now()` yourself).
   * @default 10
   */
  pruneBatch?: number;
  /**
   * Send the statements as named prepared statements, planned once per connection (about half
   * the database CPU per call). Turn it off behind PgBouncer older than 1.21 in transaction
   * pooling mode, which cannot keep prepared statements. @default true
   */
  prepare?: boolean;
}

/** A {@link postgresStore}: the store contract plus its table set-up. */
export interface PostgresStore extends IdempotencyStore {
  /** The table, as given. */
  readonly table: string;
  /**
   * Creates the table and its index if they are missing. Idempotent and safe when several
   * instances start at once. Teams that run their own migrations use `postgresStoreSql(table)`.
   */
  migrate(): Promise<void>;
}

// PostgreSQL text cannot hold U+0000, while a delivery key may hold any character: an injective
// escape (`\` → `\\`, U+0000 → `\0`) keeps every key storable and every other key as written.
function storedKey(key: string): string {
  return /[\\\0]/.test(key) ? key.replace(/[\\\0]/g, (c) => (c === "\\" ? "\\\\" : "\\0")) : key;
}

function positive(value: number, name: string): number {
  if (!Number.isFinite(value) || value <= 0) {
    throw new WebhookError(
      "invalid_option",
      `hookgate: postgresStore ${name} must be a positive number of ms, got ${String(value)}`,
    );
  }
  return value;
}

/**
 * Every statement reads the database's clock (`now()`, the statement's start), never the app's,
 * so instances with drifting clocks agree on when a lease or a completion expires.
 */
function statements(t: string, b: string, o: string) {
  const until = (param: string) => `now() + ${param}::float8 * interval '1 millisecond'`;
  // Prunes a few expired rows of other keys, only once `after` (the statement's write) ran, and
  // skipping locked rows, so it never waits while holding a lock.
  const pruned = (table: string, after: string, limit: string) => `pruned AS (
  DELETE FROM ${table} WHERE key IN (
    SELECT key FROM ${table}
    WHERE expires_at < now() AND key <> $1 AND EXISTS (SELECT FROM ${after})
    ORDER BY expires_at LIMIT ${limit}
    FOR UPDATE SKIP LOCKED
  )
)`;
  return {
    // One statement: take the key if it has no row or an expired one, prune a few expired rows
    // of other keys, and say what held it otherwise. The pruning runs only after the claim
    // (it waits on `claimed`) and skips locked rows, so it never waits while holding a lock.
    // The last SELECT reads the statement's snapshot; a row it cannot see (inserted by a claim
    // that committed while this one waited for the row lock) is a fresh lease: no row = in-flight.
    claim: `WITH claimed AS (
  INSERT INTO ${t} AS held (key, token, completed, expires_at)
  VALUES ($1, $2, false, ${until("$3")})
  ON CONFLICT (key) DO UPDATE
    SET token = excluded.token, completed = false, expires_at = excluded.expires_at
    WHERE held.expires_at <= now()
  RETURNING 'claimed'::text AS status
), ${pruned(t, "claimed", "$4")}
SELECT status FROM claimed
UNION ALL
SELECT CASE WHEN completed THEN 'completed' ELSE 'in-flight' END FROM ${t}
WHERE key = $1 AND expires_at > now() AND NOT EXISTS (SELECT FROM claimed)`,
    // extend and complete succeed when this token holds the lease, or when the key is free
    // (no row, or an expired one): the holder whose lease lapsed unclaimed takes it back.
    extend: `INSERT INTO ${t} AS held (key, token, completed, expires_at)
VALUES ($1, $2, false, ${until("$3")})
ON CONFLICT (key) DO UPDATE
  SET completed = false, token = excluded.token, expires_at = excluded.expires_at
  WHERE held.expires_at <= now() OR (held.token = excluded.token AND NOT held.completed)
RETURNING true AS held`,
    complete: `INSERT INTO ${t} AS held (key, token, completed, expires_at)
VALUES ($1, $2, true, ${until("$3")})
ON CONFLICT (key) DO UPDATE
  SET completed = true, token = excluded.token, expires_at = excluded.expires_at
  WHERE held.expires_at <= now() OR (held.token = excluded.token AND NOT held.completed)
RETURNING true AS held`,
    // Only this token's lease; a completion is never released.
    release: `DELETE FROM ${t} WHERE key = $1 AND token = $2 AND NOT completed`,
    // Always DO UPDATE, even where nothing changes: RETURNING then yields the row as locked and
    // current, also when it was inserted by a bind that committed while this one waited (a
    // fallback SELECT would read the statement's older snapshot and miss it). A live row keeps
    // its value, and its expiry unless $4 (refresh); an expired one is taken as if absent.
    // Pruning waits on `bound`, like claim's, and skips locked rows.
    bind: `WITH bound AS (
  INSERT INTO ${b} AS held (key, value, expires_at)
  VALUES ($1, $2, ${until("$3")})
  ON CONFLICT (key) DO UPDATE
    SET value = CASE WHEN held.expires_at <= now() THEN excluded.value ELSE held.value END,
      expires_at = CASE WHEN held.expires_at <= now() OR $4::boolean
        THEN excluded.expires_at ELSE held.expires_at END
  RETURNING value
), ${pruned(b, "bound", "$5")}
SELECT value FROM bound`,
    // The watermark moves only forward (or over an expired one): the row lock makes concurrent
    // advances of one resource take turns, each comparing with the one before. Pruning as above.
    advance: `WITH advanced AS (
  INSERT INTO ${o} AS held (key, at, expires_at)
  VALUES ($1, $2::bigint, ${until("$3")})
  ON CONFLICT (key) DO UPDATE
    SET at = excluded.at, expires_at = excluded.expires_at
    WHERE held.at <= excluded.at OR held.expires_at <= now()
  RETURNING true AS advanced
), ${pruned(o, "advanced", "$4")}
SELECT advanced FROM advanced`,
    watermark: `SELECT at FROM ${o} WHERE key = $1 AND expires_at > now()`,
  };
}

/**
 * An idempotency store in a PostgreSQL table, for several instances sharing one database. Each
 * call is one SQL statement, atomic on its own; leases and completions expire by the database's
 * clock, and claims prune expired rows as they go, so there is no daemon to run.
 *
 * @example
 * import pg from "pg";
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, statement_timeout: 2000 });
 * pool.on("error", (error) => console.error("idle PostgreSQL client:", error.message));
 * const store = postgresStore({ pool });
 * await store.migrate();
 * createReceiver({ scheme, store });
 */
export function postgresStore(options: PostgresStoreOptions): PostgresStore {
  checkOption.object("postgresStore", options, true);
  const { pool } = options;
  if (!pool || typeof pool.query !== "function") {
    throw new WebhookError(
      "invalid_option",
      "hookgate: postgresStore needs a `pool` with a query method, e.g. new pg.Pool({ connectionString })",
    );
  }
  const table = tableName(options.table ?? DEFAULT_STORE_TABLE, "postgresStore table");
  const pruneBatch = checkOption.whole("postgresStore option pruneBatch", options.pruneBatch, 10, 0);
  const sql = statements(table.quoted, bindTableName(table).quoted, orderTableName(table).quoted);
  const prepare = checkOption.boolean("postgresStore option prepare", options.prepare, true);
  const names = Object.fromEntries(
    Object.entries(sql).map(([label, text]) => [label, statementName(label, text)]),
  ) as Record<keyof typeof sql, string>;
  const run = (label: keyof typeof sql, values: unknown[]) => {
    const query: PostgresQuery = { text: sql[label], values };
    if (prepare) query.name = names[label];
    return pool.query(query);
  };

  return {
    table: table.name,
    migrate: () => migrateOnce(pool, table, postgresStoreSql(table.name)),
    async claim(key, { lockMs }): Promise<Claim> {
      const token = crypto.randomUUID();
      const { rows } = await run("claim", [storedKey(key), token, positive(lockMs, "lockMs"), pruneBatch]);
      const status = (rows[0] as { status: string } | undefined)?.status ?? "in-flight";
      if (status === "claimed") return { status, token };
      return { status: status === "completed" ? "completed" : "in-flight" };
    },
    async extend(key, token, { lockMs }) {
      const { rows } = await run("extend", [storedKey(key), token, positive(lockMs, "lockMs")]);
      return rows.length === 1;
    },
    async complete(key, token, { ttlMs }) {
      const { rows } = await run("complete", [storedKey(key), token, positive(ttlMs, "ttlMs")]);
      return rows.length === 1;
    },
    async release(key, token) {
      await run("release", [storedKey(key), token]);
    },
    async bind(key, value, { ttlMs, refresh }) {
      // JSON keeps keys and values exact and storable: U+0000 and lone surrogates (which
      // PostgreSQL text cannot hold, or UTF-8 cannot carry) become \u escapes.
      const { rows } = await run("bind", [
        JSON.stringify(key),
        JSON.stringify(value),
        positive(ttlMs, "bind ttlMs"),
        refresh === true,
        pruneBatch,
      ]);
      const bound = (rows[0] as { value: string } | undefined)?.value;
      if (bound === undefined) {
        throw new WebhookError(
          "store_unavailable",
          "hookgate: postgresStore bind got no row back; check that the table was created by store.migrate()",
        );
      }
      return JSON.parse(bound) as string;
    },
    async watermark(key) {
      const { rows } = await run("watermark", [JSON.stringify(key)]);
      const at = (rows[0] as { at: string | number } | undefined)?.at;
      return at === undefined ? undefined : Number(at);
    },
    async advance(key, at, { ttlMs }) {
      if (!Number.isSafeInteger(at)) {
        throw new WebhookError(
          "invalid_option",
          "hookgate: postgresStore advance needs a whole number of ms",
        );
      }
      const { rows } = await run("advance", [
        JSON.stringify(key),
        at,
        positive(ttlMs, "advance ttlMs"),
        pruneBatch,
      ]);
      return rows.length === 1;
    },
  };
}
