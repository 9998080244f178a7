import { createReceiver, schemes } from "@hookgate/core";
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
    expect(await journal.get("evt_intact")).toMatchObject({ status: "handled", attempts: 2 });
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
