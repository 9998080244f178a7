import { journalConformance } from "@hookgate/testing";
import { describe, expect, it } from "vitest";
import type { DeliveryJournal } from "../journal.js";
import { memoryQueue } from "../queue/memory-queue.js";
import { createReceiver } from "../receiver/create-receiver.js";
import { schemes } from "../schemes/index.js";
import { findJournalEntry } from "./find-entry.js";
import { memoryJournal } from "./memory-journal.js";

describe("memoryJournal conformance", () => {
  for (const scenario of journalConformance((setup) => memoryJournal(setup))) it(scenario.name, scenario.run);
});

const secret = "whsec_journal_tests";
const scheme = schemes.stripe({ secret });
const URL_ = "https://example.com/webhooks";

async function request(id: string, options: { timestamp?: Date; extra?: Record<string, string> } = {}) {
  const rawBody = JSON.stringify({ id, type: "invoice.paid", data: { note: "Zoë ✓\r\n" } });
  const headers = await scheme.sign({ rawBody, timestamp: options.timestamp });
  return { method: "POST", url: URL_, headers: { ...headers, ...options.extra }, rawBody };
}

const code = (body: string) => (JSON.parse(body) as { error: { code: string } }).error.code;

describe("a receiver with a journal", () => {
  it("keeps each attempt in the row's history, and no credential a handler's error carried", async () => {
    const journal = memoryJournal();
    let fixed = false;
    const receiver = createReceiver({ scheme, journal }).on("invoice.paid", () => {
      if (!fixed)
        throw new Error("connect postgres://app:hunter2@db.internal/app: Bearer tok_1234567890 refused");
    });
    expect((await receiver.handle(await request("evt_hist"))).status).toBe(500);
    fixed = true;
    expect((await receiver.handle(await request("evt_hist"))).status).toBe(200); // the sender's retry
    const entry = (await findJournalEntry(journal, "evt_hist"))!;
    expect(entry.attempts).toBe(2);
    expect(entry.history.map((attempt) => attempt.outcome)).toEqual(["failed", "handled"]);
    expect(entry.history[0]!.error).toEqual({
      code: "handler_failed",
      message: "connect postgres://app:[redacted]@db.internal/app: Bearer [redacted] refused",
    });
    expect(entry.lastError).toEqual(entry.history[0]!.error); // kept after the recovery, redacted too
    expect(JSON.stringify(entry)).not.toMatch(/hunter2|tok_1234567890/);
  });

  it("records the exact bytes before answering, and a handled delivery as handled", async () => {
    const journal = memoryJournal();
    const receiver = createReceiver({ scheme, journal }).on("invoice.paid", () => {});
    const req = await request("evt_ok", { extra: { authorization: "Bearer s3cret", "x-api-key": "k" } });
    expect((await receiver.handle(req)).status).toBe(200);
    const entry = await findJournalEntry(journal, "evt_ok");
    expect(entry).toMatchObject({
      status: "handled",
      attempts: 1,
      type: "invoice.paid",
      scheme: "stripe",
      url: URL_,
    });
    expect(new TextDecoder().decode(entry!.rawBody)).toBe(req.rawBody);
    expect(entry!.headers["stripe-signature"]).toBe(req.headers["stripe-signature"]);
    expect(entry!.headers.authorization).toBe("[redacted]");
    expect(entry!.headers["x-api-key"]).toBe("k");
    expect(entry!.durationMs).toBeGreaterThanOrEqual(0);
  });

  it("redacts the headers it is told to, but never the signature", async () => {
    const journal = memoryJournal({ redactHeaders: ["X-Api-Key", "Stripe-Signature"] });
    const receiver = createReceiver({ scheme, journal }).on("invoice.paid", () => {});
    const req = await request("evt_redact", { extra: { "x-api-key": "k" } });
    await receiver.handle(req);
    const entry = await findJournalEntry(journal, "evt_redact");
    expect(entry!.headers["x-api-key"]).toBe("[redacted]");
    expect(entry!.headers["stripe-signature"]).toBe(req.headers["stripe-signature"]);
    expect((await receiver.replay("evt_redact"))[0]!.outcome).toBe("handled");
  });

  it("a failing handler shows failed with its error; replay runs it to handled", async () => {
    const journal = memoryJournal();
    let fail = true;
    const receiver = createReceiver({ scheme, journal }).on("invoice.paid", () => {
      if (fail) throw new Error("ledger offline");
    });
    expect((await receiver.handle(await request("evt_fail"))).status).toBe(500);
    expect(await findJournalEntry(journal, "evt_fail")).toMatchObject({
      status: "failed",
      attempts: 1,
      lastError: { code: "handler_failed", message: "ledger offline" },
    });
    expect((await journal.list({ status: "failed" })).entries.map((e) => e.id)).toEqual(["evt_fail"]);
    fail = false;
    const [result] = await receiver.replay("evt_fail");
    expect(result).toMatchObject({ id: "evt_fail", outcome: "handled" });
    expect(await findJournalEntry(journal, "evt_fail")).toMatchObject({ status: "handled", attempts: 2 });
  });

  it("replays hours later: freshness is judged as of receipt", async () => {
    let now = new Date("2030-01-01T00:00:00Z");
    const journal = memoryJournal({ now: () => now });
    const runs: string[] = [];
    const receiver = createReceiver({ scheme, journal, now: () => now }).on("invoice.paid", (e) => {
      runs.push(e.id);
    });
    await receiver.handle(await request("evt_late", { timestamp: now }));
    now = new Date("2030-01-01T06:00:00Z");
    expect(await receiver.replay(["evt_late", "evt_unknown"])).toMatchObject([
      { id: "evt_late", outcome: "handled" },
      { id: "evt_unknown", outcome: "missing" },
    ]);
    expect(runs).toEqual(["evt_late", "evt_late"]);
  });

  it("refuses stored bytes that no longer verify, and runs nothing", async () => {
    const entries = new Map<string, Uint8Array>();
    const inner = memoryJournal();
    // A journal whose stored body was altered behind hookgate's back.
    const journal: DeliveryJournal = {
      ...inner,
      async get(key) {
        const entry = await inner.get(key);
        if (entry && entries.has(entry.id)) entry.rawBody = entries.get(entry.id)!;
        return entry;
      },
    };
    const runs: unknown[] = [];
    const receiver = createReceiver({ scheme, journal }).on("invoice.paid", (e) => {
      runs.push(e.payload);
    });
    await receiver.handle(await request("evt_tamper"));
    const original = (await findJournalEntry(inner, "evt_tamper"))!.rawBody;
    entries.set(
      "evt_tamper",
      new TextEncoder().encode(new TextDecoder().decode(original).replace("Zoë", "Eve")),
    );
    const [result] = await receiver.replay("evt_tamper");
    expect(result).toMatchObject({ outcome: "refused", error: { code: "signature_mismatch" } });
    expect(runs).toHaveLength(1);
    expect(await receiver.replay("evt_tamper", { dryRun: true })).toMatchObject([{ outcome: "refused" }]);
  });

  it("a dry run verifies without running anything", async () => {
    const journal = memoryJournal();
    let runs = 0;
    const receiver = createReceiver({ scheme, journal }).on("invoice.paid", () => {
      runs++;
    });
    await receiver.handle(await request("evt_dry"));
    expect(await receiver.replay({ status: "handled" }, { dryRun: true })).toEqual([
      { id: "evt_dry", type: "invoice.paid", outcome: "verified" },
    ]);
    expect(runs).toBe(1);
  });

  it("a queued job's attempts land on its row where the key is the signature (GitHub), not the id", async () => {
    const github = schemes.github({ secret: "gh_journal_tests" });
    const journal = memoryJournal();
    const queue = memoryQueue({ retry: { attempts: 1, backoff: 1 } });
    const receiver = createReceiver({ scheme: github, journal, queue }).on("push", () => {});
    const signed = await github.signRequest({ id: "gh-1", type: "push", rawBody: '{"ref":"main"}' });
    const result = await receiver.handle({ method: "POST", url: URL_, ...signed });
    expect(result.status).toBe(202);
    await queue.onIdle();
    const entry = await findJournalEntry(journal, "gh-1");
    expect(entry?.key).not.toContain("gh-1");
    expect(entry).toMatchObject({ status: "handled", attempts: 1 });
  });

  it("a queued delivery that exhausts its retries shows dead, and replays", async () => {
    const journal = memoryJournal();
    const queue = memoryQueue({ retry: { attempts: 2, backoff: 1 } });
    let fail = true;
    const receiver = createReceiver({ scheme, journal, queue }).on("invoice.paid", () => {
      if (fail) throw new Error("still down");
    });
    expect((await receiver.handle(await request("evt_dead"))).status).toBe(202);
    await queue.onIdle();
    expect(await findJournalEntry(journal, "evt_dead")).toMatchObject({
      status: "dead",
      attempts: 2,
      lastError: { message: "still down" },
    });
    fail = false;
    expect(await receiver.replay({ status: "dead" })).toMatchObject([{ id: "evt_dead", outcome: "queued" }]);
    await queue.onIdle();
    expect(await findJournalEntry(journal, "evt_dead")).toMatchObject({ status: "handled", attempts: 3 });
  });

  it("a journal that cannot record answers 503, runs nothing and releases the key", async () => {
    const inner = memoryJournal();
    let down = true;
    const journal: DeliveryJournal = {
      ...inner,
      record: (entry) => (down ? Promise.reject(new Error("disk full")) : inner.record(entry)),
    };
    let runs = 0;
    const receiver = createReceiver({ scheme, journal }).on("invoice.paid", () => {
      runs++;
    });
    const req = await request("evt_down");
    const result = await receiver.handle(req);
    expect(result.status).toBe(503);
    expect(code(result.body)).toBe("journal_unavailable");
    expect(result.headers["retry-after"]).toBeDefined();
    expect(runs).toBe(0);
    down = false;
    expect((await receiver.handle(req)).status).toBe(200);
    expect(runs).toBe(1);
  });

  it("a journal that hangs answers 503 within storeTimeoutMs", async () => {
    const journal: DeliveryJournal = { ...memoryJournal(), record: () => new Promise(() => {}) };
    const receiver = createReceiver({ scheme, journal, storeTimeoutMs: 50 }).on("invoice.paid", () => {});
    const result = await receiver.handle(await request("evt_hang"));
    expect(result.status).toBe(503);
    expect(code(result.body)).toBe("journal_unavailable");
  });

  it("a lifecycle update that fails after the delivery is safe keeps the 2xx and is reported", async () => {
    const inner = memoryJournal();
    const journal: DeliveryJournal = { ...inner, update: () => Promise.reject(new Error("flaky")) };
    const errors: unknown[] = [];
    let runs = 0;
    const receiver = createReceiver({ scheme, journal })
      .on("invoice.paid", () => {
        runs++;
      })
      .onError((error) => errors.push(error));
    expect((await receiver.handle(await request("evt_flaky"))).status).toBe(200);
    expect(runs).toBe(1);
    expect(errors.some((e) => (e as { code?: string }).code === "journal_unavailable")).toBe(true);
  });

  it("counts refusals by code, keeping whole requests only when asked", async () => {
    const journal = memoryJournal({ keepRejected: 1 });
    const receiver = createReceiver({ scheme, journal });
    const req = await request("evt_bad");
    await receiver.handle({ ...req, rawBody: `${req.rawBody} ` });
    await receiver.handle({ ...req, headers: { "content-type": "application/json" } });
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect((await journal.stats()).rejected).toEqual({ signature_mismatch: 1, missing_signature: 1 });
    const [kept] = await journal.rejections();
    expect(kept).toMatchObject({ code: "missing_signature", url: URL_ });
    expect(new TextDecoder().decode(kept!.rawBody)).toBe(req.rawBody);
    expect(await findJournalEntry(journal, "evt_bad")).toBeUndefined();
  });

  it("records a delivery no handler was registered for, so it can be replayed once one is", async () => {
    const journal = memoryJournal();
    const receiver = createReceiver({ scheme, journal });
    const result = await receiver.handle(await request("evt_unknown_type"));
    expect(JSON.parse(result.body)).toMatchObject({ status: "ignored" });
    expect(await findJournalEntry(journal, "evt_unknown_type")).toMatchObject({
      status: "handled",
      attempts: 0,
    });
    const seen: string[] = [];
    receiver.on("invoice.paid", (e) => {
      seen.push(e.id);
    });
    expect(await receiver.replay("evt_unknown_type")).toMatchObject([{ outcome: "handled" }]);
    expect(seen).toEqual(["evt_unknown_type"]);
  });

  it("issue 18 hole 10: findJournalEntry takes a key or an id naming one row, and refuses an id several rows share", async () => {
    const journal = memoryJournal();
    const receiver = createReceiver({ scheme, journal });
    await receiver.handle(await request("evt_shared"));
    const own = await findJournalEntry(journal, "evt_shared");
    expect(own).toBeDefined();
    // Another tenant's delivery with the same sender id: a row of its own, beside the first.
    await journal.record({ ...own!, key: `acme:${own!.key}`, tenant: "acme" });
    expect((await journal.list({ id: "evt_shared" })).entries).toHaveLength(2);
    const refusal = await findJournalEntry(journal, "evt_shared").catch((error: unknown) => error);
    expect(refusal).toMatchObject({ code: "invalid_option" });
    expect((refusal as Error).message).toMatch(/^hookgate: 2 journal rows have id "evt_shared"/);
    expect((refusal as Error).message).toContain(`acme:${own!.key} (tenant acme)`);
    expect((refusal as Error).message).toContain(own!.key);
    expect(await findJournalEntry(journal, `acme:${own!.key}`)).toMatchObject({ tenant: "acme" });
    // Its own tenant is the identity of the receiver's secrets.
    expect(await findJournalEntry(journal, own!.key)).toMatchObject({ key: own!.key, tenant: own!.tenant });
    expect(own!.tenant).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(await findJournalEntry(journal, "evt_none")).toBeUndefined();
    // receiver.replay names rows the same way: a shared id is refused, a key replays that row.
    await expect(receiver.replay("evt_shared")).rejects.toMatchObject({ code: "invalid_option" });
    receiver.on("invoice.paid", () => {});
    expect(await receiver.replay(own!.key)).toMatchObject([{ id: "evt_shared", outcome: "handled" }]);
    expect(await journal.get(`acme:${own!.key}`)).toMatchObject({ status: "received", attempts: 0 });
  });

  it("replay needs a journal", async () => {
    await expect(createReceiver({ scheme }).replay("x")).rejects.toMatchObject({ code: "invalid_option" });
  });
});
