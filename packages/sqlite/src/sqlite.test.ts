import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createReceiver, schemes } from "@hookgate/core";
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
    expect(await journal.get("evt_restart")).toMatchObject({ status: "handled", attempts: 1 });
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
    expect(new TextDecoder().decode((await journal.get("evt_altered"))!.rawBody)).toContain("Eve");
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

  it("refuses an unsafe table name and a missing path", () => {
    expect(() => sqliteJournal({ path: tempFile(), table: "x; DROP TABLE y" })).toThrow(/letters, digits/);
    expect(() => sqliteStore({} as { path: string })).toThrow(/needs \{ path/);
  });
});
