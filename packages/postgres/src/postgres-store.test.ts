import { readFileSync } from "node:fs";
import { storeConformance } from "@hookgate/testing";
import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { DATABASE_URL, describePostgres } from "../../../test/support/services.js";
import type { PostgresQuery, PostgresQueryable } from "./internal/sql.js";
import { postgresStore } from "./postgres-store.js";
import { postgresStoreSql } from "./postgres-store-sql.js";

// This file's own schema, so parallel test files never see each other's rows.
const schema = "hookgate_test_pg_store";
const table = `${schema}.keys`;

describePostgres("postgresStore", () => {
  let pool: pg.Pool;

  beforeAll(async () => {
    pool = new pg.Pool({ connectionString: DATABASE_URL, max: 8 });
    pool.on("error", () => {});
    await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE; CREATE SCHEMA ${schema}`);
    await postgresStore({ pool, table }).migrate();
  });
  afterAll(async () => {
    await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await pool.end();
  });

  for (const scenario of storeConformance(() => postgresStore({ pool, table }))) {
    it(scenario.name, scenario.run);
  }

  for (const prepare of [true, false]) {
    it(`runs exactly one SQL statement per store call (prepare: ${prepare})`, async () => {
      const sent: PostgresQuery[] = [];
      const counting: PostgresQueryable = {
        query(query) {
          sent.push(query);
          return pool.query(query);
        },
      };
      const store = postgresStore({ pool: counting, table, prepare });
      const key = `one-statement:${prepare}:${Date.now()}`;
      let token = "";
      const calls: Array<[string, () => Promise<unknown>]> = [
        [
          "claim → claimed",
          async () => {
            const claim = await store.claim(key, { lockMs: 10_000, ttlMs: 60_000 });
            expect(claim.status).toBe("claimed");
            if (claim.status === "claimed") token = claim.token;
          },
        ],
        [
          "claim → in-flight",
          async () =>
            expect((await store.claim(key, { lockMs: 10_000, ttlMs: 60_000 })).status).toBe("in-flight"),
        ],
        ["extend", async () => expect(await store.extend(key, token, { lockMs: 10_000 })).toBe(true)],
        [
          "extend, foreign token",
          async () => expect(await store.extend(key, "x", { lockMs: 1 })).toBe(false),
        ],
        ["release, foreign token", () => store.release(key, "x")],
        ["complete", async () => expect(await store.complete(key, token, { ttlMs: 60_000 })).toBe(true)],
        [
          "claim → completed",
          async () =>
            expect((await store.claim(key, { lockMs: 10_000, ttlMs: 60_000 })).status).toBe("completed"),
        ],
        ["release after complete", () => store.release(key, token)],
        ["bind → bound", async () => expect(await store.bind(key, "a", { ttlMs: 60_000 })).toBe("a")],
        ["bind → found", async () => expect(await store.bind(key, "b", { ttlMs: 60_000 })).toBe("a")],
        [
          "bind → refreshed",
          async () => expect(await store.bind(key, "c", { ttlMs: 60_000, refresh: true })).toBe("a"),
        ],
        [
          "advance → moved",
          async () => expect(await store.advance!(key, 2000, { ttlMs: 60_000 })).toBe(true),
        ],
        [
          "advance → stale",
          async () => expect(await store.advance!(key, 1000, { ttlMs: 60_000 })).toBe(false),
        ],
        ["watermark", async () => expect(await store.watermark!(key)).toBe(2000)],
      ];
      for (const [name, call] of calls) {
        const before = sent.length;
        await call();
        expect(sent.length - before, name).toBe(1);
        const query = sent.at(-1)!;
        // One statement, not several joined by semicolons.
        expect(query.text.includes(";"), name).toBe(false);
        if (prepare) expect(query.name, name).toMatch(/^hookgate_[a-z]+_[0-9a-z]+$/);
        else expect(query.name, name).toBeUndefined();
      }
      // Each kind of call has its own prepared statement, and a name never stands for two texts.
      const byName = new Map(sent.filter((q) => q.name).map((q) => [q.name, q.text]));
      expect(byName.size).toBe(prepare ? 7 : 0);
      for (const query of sent) if (query.name) expect(byName.get(query.name)).toBe(query.text);
    });
  }

  it("names prepared statements apart for different tables", async () => {
    const names = async (t: string) => {
      const sent: PostgresQuery[] = [];
      const pool: PostgresQueryable = {
        async query(query) {
          sent.push(query);
          return { rows: [] };
        },
      };
      const store = postgresStore({ pool, table: t });
      await store.release("k", "t");
      return sent[0]!.name;
    };
    expect(await names("a.keys")).not.toBe(await names("b.keys"));
    expect(await names("a.keys")).toBe(await names("a.keys"));
  });

  it("migrate is idempotent and safe when several instances run it at once", async () => {
    const fresh = `${schema}.migrated_concurrently`;
    await Promise.all(Array.from({ length: 6 }, () => postgresStore({ pool, table: fresh }).migrate()));
    await postgresStore({ pool, table: fresh }).migrate();
    const store = postgresStore({ pool, table: fresh });
    expect((await store.claim("k", { lockMs: 1000, ttlMs: 1000 })).status).toBe("claimed");
    const { rows } = await pool.query(
      "SELECT indexname FROM pg_indexes WHERE schemaname = $1 AND tablename = 'migrated_concurrently' ORDER BY 1",
      [schema],
    );
    expect(rows.map((row) => row.indexname)).toEqual([
      "migrated_concurrently_expires_at",
      "migrated_concurrently_pkey",
    ]);
  });

  it("exports the migration SQL it runs, for users who run their own migrations", async () => {
    const sql = postgresStoreSql(`${schema}.own_migration`);
    expect(sql).toContain(`CREATE TABLE IF NOT EXISTS "${schema}"."own_migration"`);
    await pool.query(sql);
    await pool.query(sql);
    const store = postgresStore({ pool, table: `${schema}.own_migration` });
    expect((await store.claim("k", { lockMs: 1000, ttlMs: 1000 })).status).toBe("claimed");
  });

  it("documents the exact migration SQL in its README", () => {
    const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
    expect(readme).toContain(postgresStoreSql().trim());
  });

  it("refuses table names that are not plain identifiers", () => {
    for (const bad of ['x"; DROP TABLE users; --', "a.b.c", "", "1table", "with space", "x".repeat(49)]) {
      expect(() => postgresStore({ pool, table: bad }), bad).toThrow(/table name/);
      expect(() => postgresStoreSql(bad), bad).toThrow(/table name/);
    }
    expect(postgresStore({ pool, table: "Mixed_Case" }).table).toBe("Mixed_Case");
    expect(postgresStoreSql("Mixed_Case")).toContain('"Mixed_Case"');
  });

  it("claims prune expired rows of other keys, a bounded number at a time, and nothing live", async () => {
    const pruned = `${schema}.pruned`;
    const store = postgresStore({ pool, table: pruned, pruneBatch: 5 });
    await store.migrate();
    await pool.query(
      `INSERT INTO ${pruned} (key, token, completed, expires_at)
       SELECT 'expired:' || i, 't', i % 2 = 0, now() - interval '1 minute' FROM generate_series(1, 12) i`,
    );
    await store.claim("live-lease", { lockMs: 60_000, ttlMs: 60_000 });
    const done = await store.claim("live-completion", { lockMs: 60_000, ttlMs: 60_000 });
    if (done.status === "claimed") await store.complete("live-completion", done.token, { ttlMs: 60_000 });
    const count = async (where: string) =>
      Number((await pool.query(`SELECT count(*)::int AS n FROM ${pruned} WHERE ${where}`)).rows[0].n);
    // Two claims ran: each pruned at most 5 of the 12 expired rows.
    expect(await count("key LIKE 'expired:%'")).toBe(2);
    // A claim that finds its key taken prunes nothing.
    await store.claim("live-lease", { lockMs: 60_000, ttlMs: 60_000 });
    expect(await count("key LIKE 'expired:%'")).toBe(2);
    await store.claim("another", { lockMs: 60_000, ttlMs: 60_000 });
    expect(await count("key LIKE 'expired:%'")).toBe(0);
    expect(await count("key IN ('live-lease', 'live-completion', 'another')")).toBe(3);
  });

  it("binds and advances with the longest table name allowed, schema-qualified", async () => {
    const long = `${schema}.${"t".repeat(48)}`;
    const store = postgresStore({ pool, table: long });
    await store.migrate();
    expect(await store.bind("k", "v", { ttlMs: 60_000 })).toBe("v");
    const { rows } = await pool.query(
      "SELECT indexname FROM pg_indexes WHERE schemaname = $1 AND tablename = $2 ORDER BY 1",
      [schema, `${"t".repeat(48)}_bind`],
    );
    expect(rows.map((row) => row.indexname)).toEqual([
      `${"t".repeat(48)}_bind_expiry`,
      `${"t".repeat(48)}_bind_pkey`,
    ]);
    expect(await store.advance!("k", 1, { ttlMs: 60_000 })).toBe(true);
    const order = await pool.query(
      "SELECT indexname FROM pg_indexes WHERE schemaname = $1 AND tablename = $2 ORDER BY 1",
      [schema, `${"t".repeat(48)}_order`],
    );
    expect(order.rows.map((row) => row.indexname)).toEqual([
      `${"t".repeat(48)}_order_expiry`,
      `${"t".repeat(48)}_order_pkey`,
    ]);
  });

  it("binds prune expired bindings of other keys, a bounded number at a time, and leave claims alone", async () => {
    const pruned = `${schema}.bind_pruned`;
    const store = postgresStore({ pool, table: pruned, pruneBatch: 5 });
    await store.migrate();
    await pool.query(
      `INSERT INTO ${pruned}_bind (key, value, expires_at)
       SELECT '"expired:' || i || '"', '"v"', now() - interval '1 minute' FROM generate_series(1, 12) i`,
    );
    await store.claim("claimed", { lockMs: 60_000, ttlMs: 60_000 });
    const count = async (where: string) =>
      Number((await pool.query(`SELECT count(*)::int AS n FROM ${pruned}_bind WHERE ${where}`)).rows[0].n);
    expect(await count("key LIKE '\"expired:%'")).toBe(12);
    expect(await store.bind("a", "1", { ttlMs: 60_000 })).toBe("1");
    expect(await store.bind("b", "2", { ttlMs: 60_000 })).toBe("2");
    expect(await count("key LIKE '\"expired:%'")).toBe(2);
    expect(await store.bind("a", "3", { ttlMs: 60_000, refresh: true })).toBe("1");
    expect(await count("key LIKE '\"expired:%'")).toBe(0);
    // The expired rows were taken as absent: an expired binding of the same key is bound anew.
    await pool.query(`UPDATE ${pruned}_bind SET expires_at = now() - interval '1 second' WHERE key = '"b"'`);
    expect(await store.bind("b", "4", { ttlMs: 60_000 })).toBe("4");
    expect((await store.claim("claimed", { lockMs: 60_000, ttlMs: 60_000 })).status).toBe("in-flight");
  });

  it("measures bindings by the database's clock", async () => {
    const store = postgresStore({ pool, table });
    await store.bind("db-clock-bind", "v", { ttlMs: 90_000 });
    const left = async () =>
      Number(
        (
          await pool.query(
            `SELECT extract(epoch FROM expires_at - now()) AS s FROM ${table}_bind WHERE key = '"db-clock-bind"'`,
          )
        ).rows[0].s,
      );
    expect(await left()).toBeGreaterThan(85);
    expect(await left()).toBeLessThanOrEqual(90);
    await store.bind("db-clock-bind", "w", { ttlMs: 10_000 }); // found, not refreshed: unchanged
    expect(await left()).toBeGreaterThan(80);
    await store.bind("db-clock-bind", "w", { ttlMs: 3_600_000, refresh: true });
    expect(await left()).toBeGreaterThan(3590);
  });

  it("measures leases and completions by the database's clock", async () => {
    const store = postgresStore({ pool, table });
    const claim = await store.claim("db-clock", { lockMs: 90_000, ttlMs: 60_000 });
    if (claim.status !== "claimed") throw new Error("expected a claim");
    const left = async () =>
      Number(
        (
          await pool.query(
            `SELECT extract(epoch FROM expires_at - now()) AS s FROM ${table} WHERE key = 'db-clock'`,
          )
        ).rows[0].s,
      );
    expect(await left()).toBeGreaterThan(85);
    expect(await left()).toBeLessThanOrEqual(90);
    await store.complete("db-clock", claim.token, { ttlMs: 3_600_000 });
    expect(await left()).toBeGreaterThan(3590);
  });

  it("keeps keys with NUL and backslashes apart", async () => {
    const store = postgresStore({ pool, table });
    const keys = ["nul:a\u0000b", "nul:a\\0b", "nul:a\\\u0000b", "nul:a\\\\0b"];
    for (const key of keys)
      expect((await store.claim(key, { lockMs: 10_000, ttlMs: 10_000 })).status, key).toBe("claimed");
  });

  it("of concurrent claims of an expired lease or completion, exactly one takes it over", async () => {
    const stores = Array.from({ length: 8 }, () => postgresStore({ pool, table }));
    for (const completed of [false, true]) {
      const key = `takeover-race:${completed}`;
      await pool.query(
        `INSERT INTO ${table} (key, token, completed, expires_at) VALUES ($1, 'old', $2, now() - interval '1 second')`,
        [key, completed],
      );
      const results = await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          stores[i % stores.length]!.claim(key, { lockMs: 10_000, ttlMs: 10_000 }),
        ),
      );
      expect(results.filter((r) => r.status === "claimed")).toHaveLength(1);
      expect(results.filter((r) => r.status === "in-flight")).toHaveLength(39);
    }
  });

  it("rejects a lockMs or ttlMs that is not a positive number", async () => {
    const store = postgresStore({ pool, table });
    await expect(store.claim("bad-lock", { lockMs: Number.NaN, ttlMs: 1 })).rejects.toThrow(/lockMs/);
    await expect(store.complete("bad-ttl", "t", { ttlMs: 0 })).rejects.toThrow(/ttlMs/);
  });
});
