import { createReceiver, findJournalEntry, schemes } from "@hookgate/core";
import { journalConformance } from "@hookgate/testing";
import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { DATABASE_URL, describePostgres } from "../../../test/support/services.js";
import { postgresJournal } from "./postgres-journal.js";
import { postgresJournalSql } from "./postgres-journal-sql.js";

// This file's own schema, so parallel test files never see each other's rows.
const schema = "hookgate_test_pg_journal";
let tables = 0;
const freshTable = () => `${schema}.j${tables++}`;

const scheme = schemes.stripe({ secret: "whsec_pg_journal" });
async function request(id: string) {
  const rawBody = JSON.stringify({ id, type: "invoice.paid", data: { note: "Zoë ✓" } });
  return {
    method: "POST",
    url: "https://example.com/hooks",
    headers: await scheme.sign({ rawBody }),
    rawBody,
  };
}

describePostgres("postgresJournal", () => {
  let pool: pg.Pool;

  beforeAll(async () => {
    pool = new pg.Pool({ connectionString: DATABASE_URL, max: 6 });
    pool.on("error", () => {});
    await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE; CREATE SCHEMA ${schema}`);
  });
  afterAll(async () => {
    await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await pool.end();
  });

  for (const scenario of journalConformance(async (setup) => {
    const journal = postgresJournal({ pool, table: freshTable(), ...setup });
    await journal.migrate();
    return journal;
  })) {
    it(scenario.name, scenario.run);
  }

  it("migrate() runs exactly postgresJournalSql, and twice is harmless", async () => {
    const table = freshTable();
    const journal = postgresJournal({ pool, table });
    await Promise.all([journal.migrate(), journal.migrate()]);
    expect(postgresJournalSql(table)).toContain(
      `CREATE TABLE IF NOT EXISTS "${schema}"."${table.split(".")[1]}"`,
    );
    const { rows } = await pool.query(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_name LIKE $2 ORDER BY 1",
      [schema, `${table.split(".")[1]}%`],
    );
    expect(rows.map((r) => r.table_name)).toEqual([
      `${table.split(".")[1]}`,
      `${table.split(".")[1]}_rejected`,
      `${table.split(".")[1]}_rejections`,
    ]);
  });

  it("issue 18 hole 10: a table made by the id-keyed version is migrated in place by two instances at once, every row kept and found by its key", async () => {
    const table = freshTable();
    const base = table.split(".")[1]!;
    // The deliveries table exactly as the previous version's postgresJournalSql created it.
    await pool.query(`CREATE TABLE IF NOT EXISTS "${schema}"."${base}" (
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
CREATE INDEX IF NOT EXISTS "${base}_received" ON "${schema}"."${base}" (received_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS "${base}_status" ON "${schema}"."${base}" (status, received_at DESC);`);
    const insert = (id: string, key: string, status: string, at: Date, body: string) =>
      pool.query(
        `INSERT INTO ${table} (id, key, scheme, type, status, received_at, updated_at, attempts, error_code, error_message, duration_ms, matched_secret, size, "timestamp", url, headers, raw_body)
         VALUES ($1, $2, 'stripe', 'invoice.paid', $3, $4, $4, 2, 'handler_failed', 'db down', 12.5, '{"index":1}', $5, $4, 'https://example.com/hooks', '{"stripe-signature":"t=1,v1=ab"}', convert_to($6, 'UTF8'))`,
        [id, key, status, at, Buffer.byteLength(body), body],
      );
    const now = Date.now();
    await insert("evt_old", "stripe:evt_old", "failed", new Date(now), "ab✓");
    // Two ids under one key (a delivery re-sent under a fresh id header): both rows survive.
    await insert("evt_a", "github:sig", "handled", new Date(now - 10), "a");
    await insert("evt_b", "github:sig", "handled", new Date(now - 5), "b");

    const journal = postgresJournal({ pool, table });
    const other = postgresJournal({ pool, table });
    await Promise.all([journal.migrate(), other.migrate(), journal.migrate()]);
    const entry = await journal.get("stripe:evt_old");
    expect(entry).toMatchObject({
      id: "evt_old",
      key: "stripe:evt_old",
      status: "failed",
      attempts: 2,
      lastError: { code: "handler_failed", message: "db down" },
      durationMs: 12.5,
      matchedSecret: { index: 1 },
      url: "https://example.com/hooks",
      headers: { "stripe-signature": "t=1,v1=ab" },
    });
    expect(entry!.tenant).toBeUndefined();
    expect(entry!.history).toEqual([]); // a row from before the history has none
    expect(new TextDecoder().decode(entry!.rawBody)).toBe("ab✓");
    expect((await journal.get("github:sig"))?.id).toBe("evt_b");
    expect((await journal.get("github:sig#evt_a"))?.id).toBe("evt_a");
    expect((await other.list({})).entries).toHaveLength(3);
    // The migrated table takes the new contract: a same-id row of another tenant is another row.
    await journal.record({ ...entry!, key: "acme:stripe:evt_old", tenant: "acme", params: { t: "acme" } });
    expect(
      await journal.update("stripe:evt_old", {
        status: "handled",
        at: new Date(10_000),
        attempt: true,
        durationMs: 4,
      }),
    ).toBe(true);
    // …and the migration added the attempt history (issue 20).
    expect((await journal.get("stripe:evt_old"))?.history).toEqual([
      { startedAt: new Date(9_996), outcome: "handled", durationMs: 4, error: undefined },
    ]);
    expect((await journal.list({ id: "evt_old" })).entries.map((e) => [e.key, e.status]).sort()).toEqual([
      ["acme:stripe:evt_old", "received"],
      ["stripe:evt_old", "handled"],
    ]);
    const { rows } = await pool.query(
      "SELECT indexname FROM pg_indexes WHERE schemaname = $1 AND tablename = $2 ORDER BY 1",
      [schema, base],
    );
    expect(rows.map((r) => r.indexname)).not.toContain(`${base}_received`);
    await journal.migrate();
    expect((await journal.list({})).entries).toHaveLength(4);
  });

  it("refuses to replay a body altered in the database, and replays the untouched one", async () => {
    const table = freshTable();
    const journal = postgresJournal({ pool, table });
    await journal.migrate();
    let runs = 0;
    const receiver = createReceiver({ scheme, journal }).on("invoice.paid", () => {
      runs++;
    });
    await receiver.handle(await request("evt_altered"));
    await receiver.handle(await request("evt_intact"));
    await pool.query(
      `UPDATE ${table} SET raw_body = convert_to(replace(convert_from(raw_body, 'UTF8'), 'Zoë', 'Eve'), 'UTF8') WHERE id = $1`,
      ["evt_altered"],
    );
    expect(await receiver.replay(["evt_altered", "evt_intact"])).toMatchObject([
      { id: "evt_altered", outcome: "refused", error: { code: "signature_mismatch" } },
      { id: "evt_intact", outcome: "handled" },
    ]);
    expect(runs).toBe(3);
    expect(await findJournalEntry(journal, "evt_intact")).toMatchObject({ status: "handled", attempts: 2 });
  });

  it("a journal whose table is gone answers 503 and runs nothing", async () => {
    const table = freshTable();
    const journal = postgresJournal({ pool, table });
    await journal.migrate();
    let runs = 0;
    const receiver = createReceiver({ scheme, journal }).on("invoice.paid", () => {
      runs++;
    });
    await pool.query(`DROP TABLE ${table}`);
    const result = await receiver.handle(await request("evt_gone"));
    expect(result.status).toBe(503);
    expect(JSON.parse(result.body).error.code).toBe("journal_unavailable");
    expect(runs).toBe(0);
  });

  it("a journal whose table is locked past storeTimeoutMs answers 503 and runs nothing", async () => {
    const table = freshTable();
    const journal = postgresJournal({ pool, table });
    await journal.migrate();
    let runs = 0;
    const receiver = createReceiver({ scheme, journal, storeTimeoutMs: 300 }).on("invoice.paid", () => {
      runs++;
    });
    const locker = await pool.connect();
    try {
      await locker.query(`BEGIN; LOCK TABLE ${table} IN ACCESS EXCLUSIVE MODE`);
      const result = await receiver.handle(await request("evt_locked"));
      expect(result.status).toBe(503);
      expect(runs).toBe(0);
    } finally {
      await locker.query("ROLLBACK");
      locker.release();
    }
  });

  it("a journal whose server cannot be reached answers 503 and runs nothing", async () => {
    // A port nothing listens on: what a stopped PostgreSQL looks like to the pool.
    const down = new pg.Pool({
      connectionString: "postgres://postgres@127.0.0.1:1/test",
      connectionTimeoutMillis: 500,
    });
    down.on("error", () => {});
    try {
      let runs = 0;
      const receiver = createReceiver({ scheme, journal: postgresJournal({ pool: down }) }).on(
        "invoice.paid",
        () => {
          runs++;
        },
      );
      const result = await receiver.handle(await request("evt_down"));
      expect(result.status).toBe(503);
      expect(JSON.parse(result.body).error.code).toBe("journal_unavailable");
      expect(runs).toBe(0);
    } finally {
      await down.end();
    }
  });
});
