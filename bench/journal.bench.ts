/**
 * The delivery journal's added cost per delivery: one 1 KiB Stripe delivery through
 * `receiver.handle` (verify, claim, inline handler, complete) with no journal, then with each
 * journal (record before the 2xx + the `handled` update). The difference is the journal's cost.
 * SQLite files use WAL with synchronous=FULL (an fsync per commit), so the numbers depend on the disk.
 * Run: pnpm bench bench/journal.bench.ts  (PostgreSQL rows need it at DATABASE_URL)
 */
import { mkdtempSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createReceiver, type DeliveryJournal, memoryJournal, schemes } from "@hookgate/core";
import { type PostgresQueryable, postgresJournal } from "@hookgate/postgres";
import { sqliteJournal } from "@hookgate/sqlite";
import { afterAll, bench, describe } from "vitest";
import { DATABASE_URL, reachable } from "../test/support/services.js";

const secret = "whsec_journal_bench";
const scheme = schemes.stripe({ secret });
const filler = "x".repeat(900);
let counter = 0;

async function delivery() {
  const rawBody = JSON.stringify({
    id: `evt_${process.pid}_${counter++}`,
    type: "invoice.paid",
    data: { filler },
  });
  return {
    method: "POST",
    url: "https://example.com/hooks",
    headers: await scheme.sign({ rawBody }),
    rawBody,
  };
}

function receiverWith(journal?: DeliveryJournal) {
  return createReceiver({ scheme, ...(journal ? { journal } : {}) }).on("invoice.paid", () => {});
}

async function handle(receiver: ReturnType<typeof receiverWith>) {
  const result = await receiver.handle(await delivery());
  if (result.status !== 200) throw new Error(`answered ${result.status}: ${result.body}`);
}

// pg is @hookgate/postgres's (peer) dependency; bench/ has no package of its own.
const pg = createRequire(new URL("../packages/postgres/package.json", import.meta.url))("pg") as {
  Pool: new (options: {
    connectionString: string;
    max: number;
  }) => PostgresQueryable & { end(): Promise<void> };
};
const dir = mkdtempSync(join(tmpdir(), "hookgate-journal-bench-"));
const postgresUp = await reachable(DATABASE_URL, 5432);
const pool = postgresUp ? new pg.Pool({ connectionString: DATABASE_URL, max: 4 }) : undefined;
const schema = "hookgate_bench_journal";
if (pool) await pool.query({ text: `DROP SCHEMA IF EXISTS ${schema} CASCADE; CREATE SCHEMA ${schema}` });
afterAll(async () => {
  if (pool) {
    await pool.query({ text: `DROP SCHEMA IF EXISTS ${schema} CASCADE` });
    await pool.end();
  }
});

describe("journal cost per delivery (1 KiB, inline handler)", async () => {
  const none = receiverWith();
  const memory = receiverWith(memoryJournal());
  const sqliteFull = receiverWith(sqliteJournal({ path: join(dir, "full.db") }));
  const sqliteNormal = receiverWith(sqliteJournal({ path: join(dir, "normal.db"), synchronous: "normal" }));
  let postgres: ReturnType<typeof receiverWith> | undefined;
  if (pool) {
    const journal = postgresJournal({ pool, table: `${schema}.deliveries` });
    await journal.migrate();
    postgres = receiverWith(journal);
  }

  bench("no journal", () => handle(none));
  bench("memoryJournal", () => handle(memory));
  bench("sqliteJournal (WAL, synchronous=FULL: the default)", () => handle(sqliteFull));
  bench('sqliteJournal (WAL, synchronous: "normal")', () => handle(sqliteNormal));
  if (postgres) bench("postgresJournal (local server)", () => handle(postgres!));
});
