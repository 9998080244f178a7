import { describe, expect, it } from "vitest";
import { memoryJournal } from "../journal/memory-journal.js";
import { memoryQueue } from "../queue/memory-queue.js";
import { schemes } from "../schemes/index.js";
import { memoryStore } from "../store/memory-store.js";
import type { IdempotencyStore } from "../store.js";
import type { WebhookEvent } from "../types.js";
import { createReceiver } from "./create-receiver.js";
import type { ReceiverEvent, ReceiverOptions } from "./types.js";

const secret = "whsec_ordering_tests";
const stripe = schemes.stripe({ secret });
const T1 = 1_700_000_100;
const T2 = 1_700_000_200;
const T3 = 1_700_000_300;

interface SubscriptionEvent {
  id: string;
  type: string;
  created: number;
  data: { object: { id: string; status: string } };
}

function updated(id: string, created: number, status: string, subscription = "sub_1"): SubscriptionEvent {
  return {
    id,
    type: "customer.subscription.updated",
    created,
    data: { object: { id: subscription, status } },
  };
}

const subscriptionOf = (event: WebhookEvent) => (event.payload as SubscriptionEvent).data.object.id;

async function post(payload: unknown, scheme = stripe) {
  const rawBody = JSON.stringify(payload);
  return {
    method: "POST",
    url: "https://example.com/hooks",
    headers: await scheme.sign({ rawBody }),
    rawBody,
  };
}

function ordered(options: Partial<ReceiverOptions> = {}) {
  const applied: string[] = [];
  const seen: ReceiverEvent[] = [];
  const receiver = createReceiver({
    scheme: stripe,
    ordering: { key: subscriptionOf },
    observe: (event) => seen.push(event),
    ...options,
  });
  receiver.on("customer.subscription.updated", (event) => {
    applied.push((event.payload as SubscriptionEvent).data.object.status);
  });
  return { receiver, applied, seen };
}

describe("ordering", () => {
  it("an event older than its resource's watermark is stale: 200, handlers not run, a retry is a duplicate", async () => {
    const journal = memoryJournal();
    const { receiver, applied, seen } = ordered({ journal });
    const answers = [];
    for (const event of [
      updated("evt_2", T2, "past_due"),
      updated("evt_1", T1, "active"),
      updated("evt_3", T3, "canceled"),
    ])
      answers.push(await receiver.handle(await post(event)));
    expect(answers.map((a) => [a.status, a.outcome])).toEqual([
      [200, "handled"],
      [200, "stale"],
      [200, "handled"],
    ]);
    expect(JSON.parse(answers[1]!.body)).toEqual({ status: "stale", id: "evt_1" });
    expect(applied).toEqual(["past_due", "canceled"]);
    expect(seen.find((e) => e.kind === "stale")).toMatchObject({
      kind: "stale",
      id: "evt_1",
      resource: "sub_1",
      at: new Date(T1 * 1000),
      watermark: new Date(T2 * 1000),
    });
    const retry = await receiver.handle(await post(updated("evt_1", T1, "active")));
    expect(retry.outcome).toBe("duplicate");
    expect(applied).toEqual(["past_due", "canceled"]);
    const rows = await journal.list({ status: "stale" });
    expect(rows.entries.map((row) => row.id)).toEqual(["evt_1"]);
    expect((await journal.stats()).byStatus.stale).toBe(1);
  });

  it("orders by the event's creation time, not the attempt's signature time", async () => {
    const { receiver, applied } = ordered();
    // evt_2 is signed first with a later creation time; evt_1 is retried (signed now, later).
    await receiver.handle(await post(updated("evt_2", T2, "past_due")));
    const late = await receiver.handle(await post(updated("evt_1", T1, "active")));
    expect(late.outcome).toBe("stale");
    expect(applied).toEqual(["past_due"]);
  });

  it("an event at the watermark's time runs; other resources are not held back", async () => {
    const { receiver, applied } = ordered();
    await receiver.handle(await post(updated("evt_a", T2, "a")));
    expect((await receiver.handle(await post(updated("evt_b", T2, "b")))).outcome).toBe("handled");
    expect((await receiver.handle(await post(updated("evt_c", T1, "c", "sub_2")))).outcome).toBe("handled");
    expect(applied).toEqual(["a", "b", "c"]);
  });

  it("a failed handler leaves the watermark, so an older event still runs and the retry runs after it", async () => {
    const { receiver, applied } = ordered();
    let fail = true;
    receiver.on("customer.subscription.updated", () => {
      if (fail) throw new Error("database down");
    });
    expect((await receiver.handle(await post(updated("evt_2", T2, "past_due")))).status).toBe(500);
    fail = false;
    expect((await receiver.handle(await post(updated("evt_1", T1, "active")))).outcome).toBe("handled");
    expect((await receiver.handle(await post(updated("evt_2", T2, "past_due")))).outcome).toBe("handled");
    expect(applied).toEqual(["past_due", "active", "past_due"]);
  });

  it("events without a resource or a time run unordered", async () => {
    const { receiver, applied } = ordered({
      ordering: {
        key: (event) => (event.type === "customer.subscription.updated" ? subscriptionOf(event) : undefined),
      },
    });
    receiver.on("invoice.paid", () => {
      applied.push("invoice");
    });
    await receiver.handle(await post(updated("evt_2", T2, "past_due")));
    await receiver.handle(
      await post({ id: "evt_i", type: "invoice.paid", created: T1, data: { object: { id: "sub_1" } } }),
    );
    const noTime = {
      id: "evt_0",
      type: "customer.subscription.updated",
      data: { object: { id: "sub_1", status: "x" } },
    };
    expect((await receiver.handle(await post(noTime))).outcome).toBe("handled");
    expect(applied).toEqual(["past_due", "invoice", "x"]);
  });

  it("with a queue, order is judged in the worker: a stale job resolves and its row shows stale", async () => {
    const journal = memoryJournal();
    const queue = memoryQueue({ concurrency: 1 });
    const { receiver, applied, seen } = ordered({ journal, queue });
    const answers = [];
    for (const event of [
      updated("evt_2", T2, "past_due"),
      updated("evt_1", T1, "active"),
      updated("evt_3", T3, "canceled"),
    ])
      answers.push((await receiver.handle(await post(event))).outcome);
    expect(answers).toEqual(["queued", "queued", "queued"]);
    await queue.onIdle();
    expect(applied).toEqual(["past_due", "canceled"]);
    expect((await journal.list({ status: "stale" })).entries.map((row) => row.id)).toEqual(["evt_1"]);
    expect(seen.filter((e) => e.kind === "failed")).toEqual([]);
  });

  it("a replay runs a stale delivery regardless", async () => {
    const journal = memoryJournal();
    const { receiver, applied } = ordered({ journal });
    await receiver.handle(await post(updated("evt_2", T2, "past_due")));
    await receiver.handle(await post(updated("evt_1", T1, "active")));
    const [result] = await receiver.replay("evt_1");
    expect(result?.outcome).toBe("handled");
    expect(applied).toEqual(["past_due", "active"]);
  });

  it("watermarks never cross tenants nor namespaces sharing a store", async () => {
    const store = memoryStore();
    const other = schemes.stripe({ secret: "whsec_another_tenant" });
    const a = ordered({ store });
    const b = ordered({ store, scheme: other });
    const c = ordered({ store, namespace: "billing" });
    await a.receiver.handle(await post(updated("evt_2", T2, "a2")));
    expect((await b.receiver.handle(await post(updated("evt_1", T1, "b1"), other))).outcome).toBe("handled");
    expect((await c.receiver.handle(await post(updated("evt_1", T1, "c1")))).outcome).toBe("handled");
    expect((await a.receiver.handle(await post(updated("evt_0", T1, "a1")))).outcome).toBe("stale");
  });

  it("a watermark expires after ordering.ttlMs", async () => {
    let clock = 1_000_000;
    const store = memoryStore({ now: () => clock });
    const { receiver, applied } = ordered({ store, ordering: { key: subscriptionOf, ttlMs: 60_000 } });
    await receiver.handle(await post(updated("evt_2", T2, "past_due")));
    clock += 60_001;
    expect((await receiver.handle(await post(updated("evt_1", T1, "active")))).outcome).toBe("handled");
    expect(applied).toEqual(["past_due", "active"]);
  });

  it("reads the event time the scheme declares, or `at`", async () => {
    expect(stripe.facts.eventTime).toEqual({ payload: "created", unit: "s" });
    const standard = schemes.standardWebhooks({ secret: `whsec_${btoa("standard webhooks ordering")}` });
    expect(standard.facts.eventTime).toEqual({ payload: "timestamp", unit: "iso" });
    expect(schemes.github({ secret: "s" }).facts.eventTime).toBeUndefined();

    const receiver = createReceiver({ scheme: standard, ordering: { key: () => "r" } });
    const ran: string[] = [];
    receiver.onAny((event) => {
      ran.push(event.id);
    });
    const send = async (id: string, timestamp: string) => {
      const rawBody = JSON.stringify({ type: "thing.updated", timestamp, data: {} });
      const headers = await standard.sign({ rawBody, id });
      return (await receiver.handle({ method: "POST", headers, rawBody })).outcome;
    };
    expect(await send("msg_2", "2024-05-01T10:00:02.000Z")).toBe("handled");
    expect(await send("msg_1", "2024-05-01T10:00:01.000Z")).toBe("stale");
    expect(ran).toEqual(["msg_2"]);
  });

  it("refuses at creation: no event time for the scheme, a store without watermarks, a bad key", () => {
    const github = schemes.github({ secret: "s" });
    expect(() => createReceiver({ scheme: github, ordering: { key: () => "r" } })).toThrow(
      expect.objectContaining({ code: "invalid_option", message: expect.stringContaining("needs at") }),
    );
    expect(() =>
      createReceiver({ scheme: github, ordering: { key: () => "r", at: () => Date.now() } }),
    ).not.toThrow();
    class LegacyStore implements IdempotencyStore {
      claim = memoryStore().claim;
      extend = memoryStore().extend;
      complete = memoryStore().complete;
      release = memoryStore().release;
      bind = memoryStore().bind;
    }
    expect(() =>
      createReceiver({ scheme: stripe, store: new LegacyStore(), ordering: { key: subscriptionOf } }),
    ).toThrow(
      expect.objectContaining({ code: "invalid_option", message: expect.stringContaining("LegacyStore") }),
    );
    expect(() => createReceiver({ scheme: stripe, ordering: {} as never })).toThrow(
      expect.objectContaining({ code: "invalid_option" }),
    );
    expect(() =>
      createReceiver({ scheme: stripe, ordering: { key: subscriptionOf, ttlMs: Number.NaN } }),
    ).toThrow(expect.objectContaining({ code: "invalid_option" }));
  });
});
