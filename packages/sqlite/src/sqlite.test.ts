import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createReceiver, findJournalEntry, schemes } from "@hookgate/core";
import { journalConformance, storeConformance } from "@hookgate/testing";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { sqliteJournal } from "./sqlite-journal.js";
import { sqliteStore } from "./sqlite-store.js";

const dir = mkdtempSync(join(tmpdir(), "hookgate-sqlite-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const tempFile = () => join(dir, `db-${files++}.sqlite`);

describe("sqliteStore conformance", () => {
  // Every handle opens the same file, as separate processes would.
  const path = tempFile();
  for (const scenario of storeConformance(() => sqliteStore({ path }))) it(scenario.name, scenario.run);
});

describe("sqliteJournal conformance", () => {
  for (const scenario of journalConformance((setup) => sqliteJournal({ path: tempFile(), ...setup }))) {
    it(scenario.name, scenario.run);
  }
});

const secret = "whsec_sqlite_tests";
const scheme = schemes.stripe({ secret });

async function request(id: string) {
  const rawBody = JSON.stringify({ id, type: "invoice.paid", data: { note: "Zoë ✓" } });
  return {
    method: "POST",
    url: "https://example.com/hooks",
    headers: await scheme.sign({ rawBody }),
    rawBody,
  };
}

describe("a receiver on SQLite", () => {
  it("keeps keys and deliveries across a restart", async () => {
    const path = tempFile();
    const first = { store: sqliteStore({ path }), journal: sqliteJournal({ path }) };
    let runs = 0;
    const a = createReceiver({ scheme, ...first }).on("invoice.paid", () => {
      runs++;
    });
    const req = await request("evt_restart");
    expect((await a.handle(req)).status).toBe(200);
    await first.store.close();
    await first.journal.close();

    const journal = sqliteJournal({ path });
    const b = createReceiver({ scheme, store: sqliteStore({ path }), journal }).on("invoice.paid", () => {
      runs++;
    });
    expect(JSON.parse((await b.handle(req)).body)).toMatchObject({ status: "duplicate" });
    expect(runs).toBe(1);
    expect(await findJournalEntry(journal, "evt_restart")).toMatchObject({ status: "handled", attempts: 1 });
  });

  it("refuses to replay a body altered in the database", async () => {
    const path = tempFile();
    const journal = sqliteJournal({ path });
    let runs = 0;
    const receiver = createReceiver({ scheme, journal }).on("invoice.paid", () => {
      runs++;
    });
    await receiver.handle(await request("evt_altered"));
    const db = new Database(path);
    db.prepare(
      "UPDATE hookgate_deliveries SET raw_body = CAST(REPLACE(CAST(raw_body AS TEXT), 'Zoë', 'Eve') AS BLOB) WHERE id = ?",
    ).run("evt_altered");
    db.close();
    expect(new TextDecoder().decode((await findJournalEntry(journal, "evt_altered"))!.rawBody)).toContain(
      "Eve",
    );
    expect(await receiver.replay("evt_altered")).toMatchObject([
      { outcome: "refused", error: { code: "signature_mismatch" } },
    ]);
    expect(runs).toBe(1);
  });

  it("a journal that cannot write (the file locked by another process's transaction) answers 503 and runs nothing", async () => {
    const path = tempFile();
    const journal = sqliteJournal({ path, busyTimeoutMs: 50 });
    let runs = 0;
    const receiver = createReceiver({ scheme, journal }).on("invoice.paid", () => {
      runs++;
    });
    const locker = new Database(path);
    locker.exec("BEGIN EXCLUSIVE");
    const req = await request("evt_locked");
    const result = await receiver.handle(req);
    expect(result.status).toBe(503);
    expect(JSON.parse(result.body).error.code).toBe("journal_unavailable");
    expect(runs).toBe(0);
    locker.exec("ROLLBACK");
    locker.close();
    // The key was released: the sender's retry goes through.
    expect((await receiver.handle(req)).status).toBe(200);
    expect(runs).toBe(1);
  });

  it("deliveries in flight together share commits: each is on disk when its record resolves, and one bad write fails alone", async () => {
    const path = tempFile();
    const journal = sqliteJournal({ path });
    const receiver = createReceiver({ scheme, journal }).on("invoice.paid", () => {});
    const requests = await Promise.all(Array.from({ length: 50 }, (_, i) => request(`evt_group_${i}`)));
    const answers = await Promise.all(requests.map((each) => receiver.handle(each)));
    expect(answers.map((answer) => answer.status)).toEqual(requests.map(() => 200));
    // Read by another connection (another process would see the same): every row, handled.
    const reader = new Database(path, { readonly: true });
    const rows = reader
      .prepare("SELECT status, count(*) AS n FROM hookgate_deliveries GROUP BY status")
      .all();
    expect(rows).toEqual([{ status: "handled", n: 50 }]);
    // 100 writes (50 records, 50 updates): committed one by one they append ~450 WAL frames (the
    // pages each commit touched, again and again); in groups, a shared page is written once per
    // group (~40 frames, the tables' creation included).
    const [wal] = journal.database.pragma("wal_checkpoint(PASSIVE)") as Array<{ log: number }>;
    expect(wal!.log).toBeLessThan(100);

    // A write that throws in the middle of a group is rolled back alone; the others commit.
    const row = (id: string) => ({
      id,
      key: `key_${id}`,
      scheme: "stripe",
      type: "invoice.paid",
      receivedAt: new Date(),
      matchedSecret: { index: 0 },
      headers: {},
      rawBody: new TextEncoder().encode("{}"),
    });
    const broken = { ...row("evt_broken"), rawBody: undefined as unknown as Uint8Array };
    const outcomes = await Promise.allSettled([
      journal.record(row("evt_before")),
      journal.record(broken),
      journal.record(row("evt_after")),
    ]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    const kept = reader
      .prepare(
        "SELECT id FROM hookgate_deliveries WHERE id IN ('evt_before', 'evt_broken', 'evt_after') ORDER BY id",
      )
      .all();
    expect(kept).toEqual([{ id: "evt_after" }, { id: "evt_before" }]);
    reader.close();
    await journal.close();
  });

  it("a journal whose table is gone answers 503 and runs nothing", async () => {
    const path = tempFile();
    const journal = sqliteJournal({ path });
    let runs = 0;
    const receiver = createReceiver({ scheme, journal }).on("invoice.paid", () => {
      runs++;
    });
    const other = new Database(path);
    other.exec("DROP TABLE hookgate_deliveries");
    other.close();
    const result = await receiver.handle(await request("evt_dropped"));
    expect(result.status).toBe(503);
    expect(runs).toBe(0);
  });

  it("issue 18 hole 10: a table made by the id-keyed version is migrated in place, every row kept and found by its key", async () => {
    const path = tempFile();
    const old = new Database(path);
    // The deliveries table exactly as the previous version created it (id PRIMARY KEY).
    old.exec(`CREATE TABLE IF NOT EXISTS legacy (
  id TEXT PRIMARY KEY,
  key TEXT NOT NULL,
  scheme TEXT NOT NULL,
  type TEXT NOT NULL,
  status TEXT NOT NULL,
  received_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  error_code TEXT,
  error_message TEXT,
  duration_ms REAL,
  matched_secret TEXT NOT NULL,
  size INTEGER NOT NULL,
  timestamp INTEGER,
  url TEXT,
  headers TEXT NOT NULL,
  raw_body BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS legacy_received ON legacy (received_at, id);
CREATE INDEX IF NOT EXISTS legacy_status ON legacy (status, received_at);`);
    const insert = old.prepare(
      `INSERT INTO legacy (id, key, scheme, type, status, received_at, updated_at, attempts, error_code, error_message, duration_ms, matched_secret, size, timestamp, url, headers, raw_body)
       VALUES (?, ?, 'stripe', 'invoice.paid', ?, ?, ?, ?, ?, ?, ?, '{"index":1}', 4, 1700000000000, 'https://example.com/hooks', '{"stripe-signature":"t=1,v1=ab"}', ?)`,
    );
    const now = Date.now();
    insert.run(
      "evt_old",
      "stripe:evt_old",
      "failed",
      now,
      now + 5,
      2,
      "handler_failed",
      "db down",
      12.5,
      Buffer.from("ab✓"),
    );
    // Two ids under one key (a delivery re-sent under a fresh id header): both rows survive.
    insert.run("evt_a", "github:sig", "handled", now - 10, now, 1, null, null, 3, Buffer.from("a"));
    insert.run("evt_b", "github:sig", "handled", now - 5, now, 1, null, null, 3, Buffer.from("b"));
    old.close();

    // A second handle opened after it finds the table current: the migration runs once.
    const journal = sqliteJournal({ path, table: "legacy" });
    const second = sqliteJournal({ path, table: "legacy" });
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
    expect(new TextDecoder().decode(entry!.rawBody)).toBe("ab✓");
    expect((await journal.get("github:sig"))?.id).toBe("evt_b");
    expect((await journal.get("github:sig#evt_a"))?.id).toBe("evt_a");
    expect((await second.list({})).entries).toHaveLength(3);
    // The migrated table takes the new contract: a same-id row of another tenant is another row.
    await journal.record({ ...entry!, key: "acme:stripe:evt_old", tenant: "acme", params: { t: "acme" } });
    expect(await journal.update("stripe:evt_old", { status: "handled", at: new Date(), attempt: true })).toBe(
      true,
    );
    expect((await journal.list({ id: "evt_old" })).entries.map((e) => [e.key, e.status]).sort()).toEqual([
      ["acme:stripe:evt_old", "received"],
      ["stripe:evt_old", "handled"],
    ]);
    await journal.close();
    await second.close();
    const reopened = sqliteJournal({ path, table: "legacy" });
    expect((await reopened.list({})).entries).toHaveLength(4);
    await reopened.close();
  });

  it("issue 20: a table made before the attempt history gains its column on open, rows kept", async () => {
    const path = tempFile();
    const old = new Database(path);
    // The deliveries table as the previous version created it: keyed by key, no history column.
    old.exec(`CREATE TABLE hookgate_deliveries (
  key TEXT PRIMARY KEY, id TEXT NOT NULL, tenant TEXT, scheme TEXT NOT NULL, type TEXT NOT NULL,
  status TEXT NOT NULL, received_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0, error_code TEXT, error_message TEXT, duration_ms REAL,
  matched_secret TEXT NOT NULL, size INTEGER NOT NULL, timestamp INTEGER, url TEXT,
  headers TEXT NOT NULL, raw_body BLOB NOT NULL, params TEXT, seal TEXT
)`);
    old
      .prepare(
        `INSERT INTO hookgate_deliveries (key, id, scheme, type, status, received_at, updated_at, attempts, error_code, error_message, matched_secret, size, headers, raw_body)
         VALUES ('stripe:evt_old', 'evt_old', 'stripe', 'invoice.paid', 'failed', 1, 2, 1, 'handler_failed', 'db down', '{"index":0}', 1, '{}', x'61')`,
      )
      .run();
    old.close();
    const journal = sqliteJournal({ path });
    const second = sqliteJournal({ path }); // finds the column there: adds nothing
    const before = await journal.get("stripe:evt_old");
    expect(before).toMatchObject({
      status: "failed",
      attempts: 1,
      lastError: { message: "db down" },
      history: [],
    });
    expect(
      await second.update("stripe:evt_old", {
        status: "handled",
        at: new Date(10_000),
        attempt: true,
        durationMs: 4,
      }),
    ).toBe(true);
    expect((await journal.get("stripe:evt_old"))?.history).toEqual([
      { startedAt: new Date(9_996), outcome: "handled", durationMs: 4, error: undefined },
    ]);
    await journal.close();
    await second.close();
  });

  it("refuses an unsafe table name and a missing path", () => {
    expect(() => sqliteJournal({ path: tempFile(), table: "x; DROP TABLE y" })).toThrow(/letters, digits/);
    expect(() => sqliteStore({} as { path: string })).toThrow(/needs \{ path/);
  });
});
