import { mkdtempSync, rmSync } from "node:fs";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createReceiver, findJournalEntry, schemes } from "@hookgate/core";
import { postgresJournal } from "@hookgate/postgres";
import { sqliteJournal } from "@hookgate/sqlite";
import express from "express";
import pg from "pg";
import Stripe from "stripe";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type Listening, listen } from "../../packages/cli/src/commands/listen.js";
import { captureIO } from "../../packages/cli/src/internal/test-io.js";
import { runCli } from "../../packages/cli/src/run-cli.js";
import { DATABASE_URL, describePostgres } from "../support/services.js";
import { seen } from "./replay-receiver.js";

const secret = "whsec_cli_journal";
const stripe = new Stripe("sk_test_unused");
const dir = mkdtempSync(join(tmpdir(), "hookgate-cli-journal-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const journalArg = () => `sqlite:${join(dir, `journal-${files++}.db`)}`;

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

/** The user's Express app: verifies with stripe-node itself, and answers as told. */
async function app(answer: () => number, appSecret = secret) {
  const received: Array<{ body: Buffer; signature: string | undefined; type?: string }> = [];
  const server: Server = express()
    .post("/webhooks", express.raw({ type: "*/*" }), (req, res) => {
      const signature = req.header("stripe-signature");
      try {
        const event = stripe.webhooks.constructEvent(req.body, signature ?? "", appSecret);
        received.push({ body: req.body, signature, type: event.type });
      } catch (error) {
        res.status(400).json({ error: (error as Error).message });
        return;
      }
      const status = answer();
      res.status(status).json({ ok: status < 300 });
    })
    .listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  closers.push(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks`, received };
}

async function startListen(journal: string, forwardTo: string) {
  const { io, out } = captureIO();
  const running: Listening = await listen({ port: 0, scheme: "stripe", secret, journal, forwardTo }, io);
  closers.push(() => running.close());
  return { running, out };
}

/** A Stripe event, signed by stripe-node the way Stripe signs it. */
function stripeDelivery(id: string) {
  const payload = `${JSON.stringify({ id, object: "event", type: "invoice.paid", data: { object: { id: "in_1", customer_name: "Zoë ✓" } } }, null, 2)}\r\n`;
  return { payload, header: stripe.webhooks.generateTestHeaderString({ payload, secret }) };
}

async function post(url: string, delivery: { payload: string; header: string }) {
  return fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", "stripe-signature": delivery.header },
    body: delivery.payload,
  });
}

describe("hookgate listen --forward-to, deliveries, replay", () => {
  it("forwards a stripe-node-signed request byte for byte to an Express app, and deliveries lists it", async () => {
    const target = await app(() => 200);
    const journal = journalArg();
    const { running, out } = await startListen(journal, target.url);
    const delivery = stripeDelivery("evt_listen_1");
    const response = await post(running.url, delivery);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: "handled", id: "evt_listen_1" });
    expect(target.received).toHaveLength(1);
    expect(target.received[0]!.body.equals(Buffer.from(delivery.payload))).toBe(true);
    expect(target.received[0]!.signature).toBe(delivery.header);
    expect(out()).toMatch(/200 handled {2}invoice\.paid {2}evt_listen_1 .*→ app 200 /);
    await running.close();
    closers.pop();

    const { io, out: listed } = captureIO();
    expect(await runCli(["deliveries", "--journal", journal, "--since", "1h"], io)).toBe(0);
    expect(listed()).toMatch(/TIME \(UTC\) +ID +TYPE +STATUS +ATTEMPTS +DURATION/);
    expect(listed()).toMatch(/evt_listen_1 +invoice\.paid +handled +1 /);
    const json = captureIO();
    expect(await runCli(["deliveries", "--journal", journal, "--json", "--status", "handled"], json.io)).toBe(
      0,
    );
    expect(JSON.parse(json.out())).toMatchObject([
      { id: "evt_listen_1", status: "handled", attempts: 1, type: "invoice.paid" },
    ]);
  });

  it("an app refusing the delivery leaves it failed (the sender retries); replay --to re-signs it with the app's test secret", async () => {
    // The local app verifies with its own test secret, so the forwarded live signature fails there.
    const target = await app(() => 200, "whsec_local_test");
    const journal = journalArg();
    const { running, out } = await startListen(journal, target.url);
    const delivery = stripeDelivery("evt_listen_2");
    expect((await post(running.url, delivery)).status).toBe(500);
    expect(out()).toMatch(/500 handler_failed .*→ app 400/);
    expect(target.received).toHaveLength(0);
    await running.close();
    closers.pop();

    const failed = captureIO();
    expect(await runCli(["deliveries", "--journal", journal, "--status", "failed"], failed.io)).toBe(0);
    expect(failed.out()).toMatch(/evt_listen_2 +invoice\.paid +failed +1 .*handler_failed: .*answered 400/);

    const replayed = captureIO();
    const args = ["replay", "--journal", journal, "--status", "failed", "--since", "1h"];
    const code = await runCli([...args, "--to", target.url, "--secret", "whsec_local_test"], replayed.io);
    expect({ code, err: replayed.err() }).toEqual({ code: 0, err: "" });
    expect(replayed.out()).toMatch(/^200 {2}evt_listen_2 {2}invoice\.paid /m);
    expect(replayed.out()).toContain("1 of 1 replayed");
    expect(target.received).toHaveLength(1);
    expect(target.received[0]!.body.equals(Buffer.from(delivery.payload))).toBe(true);
    expect(target.received[0]!.type).toBe("invoice.paid");
    // The app's 2xx is recorded: the row is handled, and the forward's error is cleared.
    const after = captureIO();
    expect(
      await runCli(["deliveries", "--journal", journal, "--id", "evt_listen_2", "--json"], after.io),
    ).toBe(0);
    const [row] = JSON.parse(after.out()) as Array<Record<string, unknown>>;
    expect(row).toMatchObject({ id: "evt_listen_2", status: "handled", attempts: 2 });
    expect(row).not.toHaveProperty("lastError");
  });

  it("replay --receiver runs the handlers in-process, verifying the stored bytes, and records the attempt", async () => {
    const target = await app(() => 500);
    const journal = journalArg();
    const { running } = await startListen(journal, target.url);
    await post(running.url, stripeDelivery("evt_listen_3"));
    await running.close();
    closers.pop();

    const dry = captureIO();
    const receiverPath = join(import.meta.dirname, "replay-receiver.ts");
    expect(
      await runCli(
        ["replay", "evt_listen_3", "--journal", journal, "--receiver", receiverPath, "--dry-run"],
        dry.io,
      ),
    ).toBe(0);
    expect(dry.out()).toMatch(/verified {2}evt_listen_3/);
    expect(seen).not.toContain("evt_listen_3");

    const run = captureIO();
    expect(
      await runCli(["replay", "evt_listen_3", "--journal", journal, "--receiver", receiverPath], run.io),
    ).toBe(0);
    expect(run.out()).toMatch(/handled {2}evt_listen_3 {2}invoice\.paid/);
    expect(seen).toContain("evt_listen_3");
    const entry = await (async () => {
      const j = sqliteJournal({ path: journal.slice("sqlite:".length) });
      try {
        return await findJournalEntry(j, "evt_listen_3");
      } finally {
        await j.close();
      }
    })();
    expect(entry).toMatchObject({ status: "handled", attempts: 2 });
    // The replay fixed it: the first attempt's error is no longer the row's current state.
    expect(entry?.lastError).toBeUndefined();
  });

  it("explains bad usage", async () => {
    const cases: Array<[string[], RegExp]> = [
      [["deliveries"], /--journal is required/],
      [["deliveries", "--journal", "redis://x"], /is not a journal/],
      [["deliveries", "--journal", "memory", "--status", "lost"], /--status "lost" is not a status/],
      [["deliveries", "--journal", "memory", "--since", "yesterday"], /--since "yesterday" is not a time/],
      [["replay", "--journal", "memory", "--status", "failed"], /replay needs one target/],
      [["replay", "--journal", "memory", "--to", "http://127.0.0.1:9/"], /name what to replay/],
      [
        [
          "replay",
          "x",
          "--status",
          "failed",
          "--journal",
          "memory",
          "--to",
          "http://127.0.0.1:9/",
          "--secret",
          "s",
        ],
        /not both/,
      ],
      [["listen", "--scheme", "stripe"], /--secret is required/],
    ];
    for (const [args, message] of cases) {
      const { io, err } = captureIO();
      expect(await runCli(args, io), args.join(" ")).toBe(2);
      expect(err()).toMatch(message);
    }
  });
});

describePostgres("hookgate deliveries --journal postgres://", () => {
  const schema = "hookgate_test_cli_journal";
  let pool: pg.Pool;
  beforeAll(async () => {
    pool = new pg.Pool({ connectionString: DATABASE_URL, max: 2 });
    pool.on("error", () => {});
    await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE; CREATE SCHEMA ${schema}`);
  });
  afterAll(async () => {
    await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await pool.end();
  });

  it("lists what a receiver journaled in PostgreSQL", async () => {
    const journal = postgresJournal({ pool, table: `${schema}.deliveries` });
    await journal.migrate();
    const receiver = createReceiver({ scheme: schemes.stripe({ secret }), journal }).on(
      "invoice.paid",
      () => {
        throw new Error("ledger offline");
      },
    );
    const { payload, header } = stripeDelivery("evt_pg_cli");
    expect(
      (
        await receiver.handle({
          headers: { "stripe-signature": header, "content-type": "application/json" },
          rawBody: payload,
        })
      ).status,
    ).toBe(500);
    const url = new URL(DATABASE_URL);
    url.searchParams.set("table", `${schema}.deliveries`);
    const { io, out, err } = captureIO();
    expect(await runCli(["deliveries", "--journal", url.toString(), "--status", "failed"], io)).toBe(0);
    expect(err()).toBe("");
    expect(out()).toMatch(/evt_pg_cli +invoice\.paid +failed +1 .*handler_failed: ledger offline/);
  });
});
