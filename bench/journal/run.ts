/**
 * `bench/journal`: the delivery journal's added wall time per delivery, at 1 and at 100
 * deliveries in flight. One 1 KiB Stripe delivery through `receiver.handle` (verify, claim, record
 * before the 2xx, inline handler, the `handled` update, complete), with no journal and with each
 * journal, in alternating rounds (each round runs every row once, in a rotated order). The added
 * cost of a row is its wall time per delivery less the no-journal row's in the same round
 * (medians over the rounds); at 100 in flight, wall time for the batch over its size (what a
 * busy endpoint pays per delivery). SQLite files live in the temporary directory (its disk's fsync
 * is what `synchronous: "full"` waits for); PostgreSQL is the local server at DATABASE_URL.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createReceiver, type DeliveryJournal, memoryJournal, schemes } from "@hookgate/core";
import { type PostgresQueryable, postgresJournal } from "@hookgate/postgres";
import { sqliteJournal } from "@hookgate/sqlite";
import { DATABASE_URL, reachable } from "../../test/support/services.js";
import { flag, markdownTable, median, num } from "../lib/table.js";

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

interface Row {
  name: string;
  handle: (request: Awaited<ReturnType<typeof prepare>>[number]) => Promise<void>;
}

function prepare(n: number) {
  return Promise.all(Array.from({ length: n }, delivery));
}

function row(name: string, journal?: DeliveryJournal): Row {
  const receiver = createReceiver({ scheme, ...(journal ? { journal } : {}) }).on("invoice.paid", () => {});
  return {
    name,
    handle: async (request) => {
      const result = await receiver.handle(request);
      if (result.status !== 200) throw new Error(`${name} answered ${result.status}: ${result.body}`);
    },
  };
}

/** Wall milliseconds per delivery for `n` deliveries, `inFlight` at a time. */
async function measure(r: Row, n: number, inFlight: number): Promise<number> {
  const requests = await prepare(n);
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < requests.length) await r.handle(requests[next++]!);
    }),
  );
  return (performance.now() - started) / n;
}

/** Runs the journal benchmark and returns its markdown table. */
export async function runJournal(argv: readonly string[]): Promise<string> {
  const rounds = Number(flag(argv, "rounds") ?? 7);
  const perRound = Number(flag(argv, "deliveries") ?? 400);
  const dir = mkdtempSync(join(tmpdir(), "hookgate-journal-bench-"));
  const rows: Row[] = [
    row("no journal"),
    row("memoryJournal", memoryJournal()),
    row(
      'sqliteJournal (WAL, synchronous: "full", the default)',
      sqliteJournal({ path: join(dir, "full.db") }),
    ),
    row(
      'sqliteJournal (WAL, synchronous: "normal")',
      sqliteJournal({ path: join(dir, "normal.db"), synchronous: "normal" }),
    ),
  ];
  // pg is @hookgate/postgres's (peer) dependency; bench/ resolves it through that package.
  const pg = createRequire(new URL("../../packages/postgres/package.json", import.meta.url))("pg") as {
    Pool: new (options: {
      connectionString: string;
      max: number;
    }) => PostgresQueryable & { end(): Promise<void> };
  };
  const schema = "hookgate_bench_journal";
  const pool = (await reachable(DATABASE_URL, 5432))
    ? new pg.Pool({ connectionString: DATABASE_URL, max: 10 })
    : undefined;
  if (pool) {
    await pool.query({ text: `DROP SCHEMA IF EXISTS ${schema} CASCADE; CREATE SCHEMA ${schema}` });
    const journal = postgresJournal({ pool, table: `${schema}.deliveries` });
    await journal.migrate();
    rows.push(row("postgresJournal (local server, pool of 10)", journal));
  }
  try {
    const table: string[][] = [];
    for (const inFlight of [1, 100]) {
      const added = new Map<string, number[]>(rows.map((r) => [r.name, []]));
      const base: number[] = [];
      for (const r of rows) await measure(r, 100, inFlight); // warm-up
      for (let round = 0; round < rounds; round++) {
        const order = rows.map((_, i) => rows[(i + round) % rows.length]!);
        const times = new Map<string, number>();
        for (const r of order) times.set(r.name, await measure(r, perRound, inFlight));
        const none = times.get("no journal")!;
        base.push(none);
        for (const r of rows) added.get(r.name)!.push(times.get(r.name)! - none);
      }
      for (const r of rows.slice(1)) {
        table.push([
          r.name,
          String(inFlight),
          `${num(median(base) * 1000, 0)} µs`,
          `${num(median(added.get(r.name)!), 3)} ms`,
        ]);
      }
    }
    return markdownTable(["journal", "in flight", "no journal, per delivery", "added per delivery"], table);
  } finally {
    if (pool) {
      await pool.query({ text: `DROP SCHEMA IF EXISTS ${schema} CASCADE` });
      await pool.end();
    }
    rmSync(dir, { recursive: true, force: true });
  }
}
