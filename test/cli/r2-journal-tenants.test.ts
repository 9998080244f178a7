import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findJournalEntry, schemes } from "@hookgate/core";
import { sqliteJournal } from "@hookgate/sqlite";
import { afterAll, describe, expect, it } from "vitest";
import { captureIO } from "../../packages/cli/src/internal/test-io.js";
import { runCli } from "../../packages/cli/src/run-cli.js";
import { seen } from "./replay-receiver.js";

// The secret replay-receiver.ts verifies with.
const scheme = schemes.stripe({ secret: "whsec_cli_journal" });
const dir = mkdtempSync(join(tmpdir(), "hookgate-cli-tenants-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

/** A SQLite journal holding two tenants' deliveries that share the sender id `evt_shared`, and one of `evt_single`. */
async function twoTenants(): Promise<string> {
  const path = join(dir, `journal-${files++}.db`);
  const journal = sqliteJournal({ path });
  const row = async (id: string, tenant: string, note: string) => {
    const rawBody = JSON.stringify({ id, type: "invoice.paid", data: { note } });
    const signed = await scheme.signRequest({ id, rawBody, type: "invoice.paid" });
    await journal.record({
      id,
      key: `${tenant}:stripe:${id}`,
      tenant,
      scheme: "stripe",
      type: "invoice.paid",
      receivedAt: new Date(),
      rawBody: signed.rawBody,
      headers: { ...signed.headers, "content-type": "application/json" },
      matchedSecret: { index: 0 },
    });
  };
  await row("evt_shared", "acme", "for acme");
  await row("evt_shared", "globex", "for globex");
  await row("evt_single", "acme", "only acme");
  await journal.close();
  return `sqlite:${path}`;
}

const receiverPath = join(import.meta.dirname, "replay-receiver.ts");

describe("hookgate deliveries and replay over several tenants' rows", () => {
  it("issue 18 hole 10: replay refuses an id two tenants' rows share, listing their keys, and runs nothing", async () => {
    const journal = await twoTenants();
    const before = seen.length;
    const run = captureIO();
    const code = await runCli(
      ["replay", "evt_shared", "--journal", journal, "--receiver", receiverPath],
      run.io,
    );
    expect(code).toBe(2);
    expect(run.err()).toMatch(/^hookgate: 2 journal rows have id "evt_shared"/);
    expect(run.err()).toContain("acme:stripe:evt_shared (tenant acme)");
    expect(run.err()).toContain("globex:stripe:evt_shared (tenant globex)");
    expect(seen.length).toBe(before);
  });

  it("issue 18 hole 10: replay by key runs that tenant's row only; an id naming one row still works", async () => {
    const journal = await twoTenants();
    const before = seen.length;
    const run = captureIO();
    expect(
      await runCli(
        [
          "replay",
          "globex:stripe:evt_shared",
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
      expect(await opened.get("acme:stripe:evt_shared")).toMatchObject({ status: "received", attempts: 0 });
      expect(await findJournalEntry(opened, "evt_single")).toMatchObject({ key: "acme:stripe:evt_single" });
    } finally {
      await opened.close();
    }
    const dry = captureIO();
    expect(
      await runCli(
        [
          "replay",
          "acme:stripe:evt_shared",
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
    const journal = await twoTenants();
    const all = captureIO();
    expect(await runCli(["deliveries", "--journal", journal], all.io)).toBe(0);
    const [header, ...rows] = all.out().trimEnd().split("\n");
    expect(header).toMatch(/^TIME \(UTC\) +ID +TENANT +KEY +TYPE +STATUS/);
    expect(rows).toHaveLength(3);
    expect(
      rows.some((r) => /evt_shared +globex +globex:stripe:evt_shared +invoice\.paid +received/.test(r)),
    ).toBe(true);
    const byId = captureIO();
    expect(await runCli(["deliveries", "--journal", journal, "--id", "evt_shared", "--json"], byId.io)).toBe(
      0,
    );
    expect(
      JSON.parse(byId.out())
        .map((e: { key: string; tenant: string }) => [e.key, e.tenant])
        .sort(),
    ).toEqual([
      ["acme:stripe:evt_shared", "acme"],
      ["globex:stripe:evt_shared", "globex"],
    ]);
    const byTenant = captureIO();
    expect(await runCli(["deliveries", "--journal", journal, "--tenant", "acme"], byTenant.io)).toBe(0);
    const acmeRows = byTenant.out().trimEnd().split("\n");
    expect(acmeRows[0]).not.toContain("KEY");
    expect(acmeRows.slice(1).map((r) => r.split(/ {2,}/)[2])).toEqual(["acme", "acme"]);
  });
});
