import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createReceiver, findJournalEntry, schemes } from "@hookgate/core";
import { sqliteJournal } from "@hookgate/sqlite";
import { afterAll, describe, expect, it } from "vitest";
import { captureIO } from "../../packages/cli/src/internal/test-io.js";
import { runCli } from "../../packages/cli/src/run-cli.js";
import { seenByTenant as seen, tenantSecrets } from "./tenants-receiver.js";

const dir = mkdtempSync(join(tmpdir(), "hookgate-cli-tenants-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

interface Tenants {
  journal: string;
  /** The row keys: `acme:evt_shared`, `globex:evt_shared`, `acme:evt_single`. */
  keys: Record<string, string>;
}

/**
 * A SQLite journal holding, as a per-tenant receiver recorded them, two tenants' deliveries that
 * share the sender id `evt_shared`, and acme's `evt_single`.
 */
async function twoTenants(): Promise<Tenants> {
  const path = join(dir, `journal-${files++}.db`);
  const journal = sqliteJournal({ path });
  const receiver = createReceiver({
    scheme: schemes.stripe({ secret: ({ params }) => tenantSecrets[params.tenant ?? ""] ?? [] }),
    journal,
  });
  receiver.on("invoice.paid", () => {});
  const keys: Record<string, string> = {};
  for (const [tenant, id] of [
    ["acme", "evt_shared"],
    ["globex", "evt_shared"],
    ["acme", "evt_single"],
  ] as const) {
    const rawBody = JSON.stringify({ id, type: "invoice.paid", data: { note: `for ${tenant}` } });
    const signed = await schemes.stripe({ secret: tenantSecrets[tenant]! }).signRequest({ rawBody });
    const answer = await receiver.handle({
      method: "POST",
      headers: signed.headers,
      rawBody: signed.rawBody,
      params: { tenant },
    });
    expect(answer.status).toBe(200);
    const rows = (await journal.list({ id })).entries;
    keys[`${tenant}:${id}`] = rows.find((row) => !Object.values(keys).includes(row.key))!.key;
  }
  // Each row is a "received" row again, as a journal that never saw the handler finish.
  for (const key of Object.values(keys)) await journal.update(key, { status: "received", at: new Date() });
  await journal.close();
  return { journal: `sqlite:${path}`, keys };
}

const receiverPath = join(import.meta.dirname, "tenants-receiver.ts");

describe("hookgate deliveries and replay over several tenants' rows", () => {
  it("issue 18 hole 10: replay refuses an id two tenants' rows share, listing their keys, and runs nothing", async () => {
    const { journal, keys } = await twoTenants();
    const before = seen.length;
    const run = captureIO();
    const code = await runCli(
      ["replay", "evt_shared", "--journal", journal, "--receiver", receiverPath],
      run.io,
    );
    expect(code).toBe(2);
    expect(run.err()).toMatch(/^hookgate: 2 journal rows have id "evt_shared"/);
    expect(run.err()).toContain(keys["acme:evt_shared"]!);
    expect(run.err()).toContain(keys["globex:evt_shared"]!);
    expect(seen.length).toBe(before);
  });

  it("issue 18 hole 10: replay by key runs that tenant's row only; an id naming one row still works", async () => {
    const { journal, keys } = await twoTenants();
    const before = seen.length;
    const run = captureIO();
    expect(
      await runCli(
        [
          "replay",
          keys["globex:evt_shared"]!,
          "evt_single",
          "--journal",
          journal,
          "--receiver",
          receiverPath,
        ],
        run.io,
      ),
    ).toBe(0);
    expect(run.out()).toMatch(/handled {2}evt_shared/);
    expect(run.out()).toMatch(/handled {2}evt_single/);
    expect(seen.slice(before)).toEqual(["evt_shared", "evt_single"]);
    const opened = sqliteJournal({ path: journal.slice("sqlite:".length) });
    try {
      expect(await opened.get(keys["acme:evt_shared"]!)).toMatchObject({ status: "received", attempts: 1 });
      expect(await opened.get(keys["globex:evt_shared"]!)).toMatchObject({ status: "handled", attempts: 2 });
      expect(await findJournalEntry(opened, "evt_single")).toMatchObject({ key: keys["acme:evt_single"] });
    } finally {
      await opened.close();
    }
    const dry = captureIO();
    expect(
      await runCli(
        [
          "replay",
          keys["acme:evt_shared"]!,
          "--journal",
          journal,
          "--to",
          "http://127.0.0.1:9/hooks",
          "--secret",
          "whsec_x",
          "--dry-run",
        ],
        dry.io,
      ),
    ).toBe(0);
    expect(dry.out()).toMatch(/would post {2}evt_shared {2}invoice\.paid/);
  });

  it("issue 18 hole 10: deliveries shows the tenant, filters by --id and --tenant, and shows keys where an id repeats", async () => {
    const { journal, keys } = await twoTenants();
    const all = captureIO();
    expect(await runCli(["deliveries", "--journal", journal], all.io)).toBe(0);
    const [header, ...rows] = all.out().trimEnd().split("\n");
    expect(header).toMatch(/^TIME \(UTC\) +ID +TENANT +KEY +TYPE +STATUS/);
    expect(rows).toHaveLength(3);
    const byId = captureIO();
    expect(await runCli(["deliveries", "--journal", journal, "--id", "evt_shared", "--json"], byId.io)).toBe(
      0,
    );
    const listed = JSON.parse(byId.out()) as { key: string; tenant: string }[];
    expect(listed.map((e) => e.key).sort()).toEqual(
      [keys["acme:evt_shared"], keys["globex:evt_shared"]].sort(),
    );
    const acme = listed.find((e) => e.key === keys["acme:evt_shared"])!.tenant;
    expect(acme).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(rows.some((r) => r.includes(acme) && r.includes(keys["acme:evt_shared"]!))).toBe(true);
    const byTenant = captureIO();
    expect(await runCli(["deliveries", "--journal", journal, "--tenant", acme, "--json"], byTenant.io)).toBe(
      0,
    );
    expect((JSON.parse(byTenant.out()) as { key: string }[]).map((e) => e.key).sort()).toEqual(
      [keys["acme:evt_shared"], keys["acme:evt_single"]].sort(),
    );
  });
});
