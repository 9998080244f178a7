import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createReceiver, type DeliveryJournal, memoryJournal, type Receiver, schemes } from "@hookgate/core";
import { webhookMiddleware } from "@hookgate/express";
import { webhookHandler } from "@hookgate/hono";
import { createRouteHandler } from "@hookgate/next";
import { sqliteJournal } from "@hookgate/sqlite";
import { ed25519KeyPair, fixtures, signedFixture } from "@hookgate/testing";
import { InteractionResponseType } from "discord-interactions";
import express from "express";
import { Hono } from "hono";
import { afterEach, describe, expect, it } from "vitest";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves once `check` holds, polling; fails after `timeoutMs`. */
async function eventually(check: () => Promise<boolean> | boolean, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error("condition not met in time");
    await sleep(20);
  }
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

/** A real Express server with the receiver on POST /hook; returns a poster. */
async function serve(receiver: Pick<Receiver, "handle">) {
  const app = express();
  app.post("/hook", webhookMiddleware(receiver));
  const server = app.listen(0, "127.0.0.1");
  servers.push(server);
  await new Promise((resolve) => server.once("listening", resolve));
  const { port } = server.address() as AddressInfo;
  return async (fixture: { headers: Record<string, string>; body: string }) => {
    const started = performance.now();
    const response = await fetch(`http://127.0.0.1:${port}/hook`, {
      method: "POST",
      headers: fixture.headers,
      body: fixture.body,
    });
    const text = await response.text();
    return { status: response.status, text, json: () => JSON.parse(text), ms: performance.now() - started };
  };
}

describe("Answering Discord interactions", async () => {
  const { publicKey, privateKey } = await ed25519KeyPair();
  const signer = schemes.discord({ publicKey, privateKey });
  const command = () =>
    signedFixture(signer, fixtures.discord.applicationCommand({ data: { name: "ping" } }));

  it("answers an APPLICATION_COMMAND with the handler's { type: 4, data }", async () => {
    const receiver = createReceiver({ scheme: schemes.discord({ publicKey }) });
    const seen: string[] = [];
    receiver.respond("application_command", (event) => {
      seen.push((event.payload as { data: { name: string } }).data.name);
      return { type: 4, data: { content: "pong" } };
    });
    const post = await serve(receiver);
    const answer = await post(await command());
    expect(answer.status).toBe(200);
    expect(answer.json()).toEqual({
      type: InteractionResponseType.CHANNEL_MESSAGE_WITH_SOURCE,
      data: { content: "pong" },
    });
    expect(seen).toEqual(["ping"]);
  });

  it("still answers a PING with a PONG itself, without the handler", async () => {
    const receiver = createReceiver({ scheme: schemes.discord({ publicKey }) });
    let called = false;
    receiver.respond("ping", () => {
      called = true;
      return { type: 4, data: { content: "no" } };
    });
    const post = await serve(receiver);
    const answer = await post(await signedFixture(signer, fixtures.discord.ping()));
    expect(answer.json()).toEqual({ type: InteractionResponseType.PONG });
    expect(called).toBe(false);
  });

  it("defers a handler slower than the deadline with { type: 5 } in time; its result reaches onLate", async () => {
    const receiver = createReceiver({ scheme: schemes.discord({ publicKey }), deadlineMs: 300 });
    let finished = false;
    const late: unknown[] = [];
    receiver.respond("application_command", async () => {
      await sleep(1500);
      finished = true;
      return { type: 4, data: { content: "slow pong" } };
    });
    receiver.onLate((event, result) => {
      late.push({ id: event.id, result });
    });
    const fixture = await command();
    const post = await serve(receiver);
    const answer = await post(fixture);
    expect(answer.status).toBe(200);
    expect(answer.json()).toEqual({ type: InteractionResponseType.DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE });
    expect(finished).toBe(false);
    // The deadline is the feature: the deferred reply must beat Discord's 3 s by far.
    expect(answer.ms).toBeLessThan(1500);
    await eventually(() => late.length === 1);
    expect(late[0]).toEqual({
      id: JSON.parse(fixture.body).id,
      result: { type: 4, data: { content: "slow pong" } },
    });
    // The interaction retried: the answer it got, not a second run.
    expect((await post(fixture)).json()).toEqual({ type: 5 });
  });

  it("answers a retry that comes while the deferred handler still runs with the deferred reply", async () => {
    const receiver = createReceiver({ scheme: schemes.discord({ publicKey }), deadlineMs: 100 });
    let runs = 0;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    receiver.respond("application_command", async () => {
      runs++;
      await gate;
      return { type: 4, data: { content: "done" } };
    });
    const post = await serve(receiver);
    const fixture = await command();
    const first = await post(fixture);
    const retried = await post(fixture);
    release();
    expect(first.json()).toEqual({ type: 5 });
    expect(retried.status).toBe(200);
    expect(retried.json()).toEqual({ type: 5 });
    expect(runs).toBe(1);
  });

  it("answers a retried interaction with the same answer, running the handler once", async () => {
    const receiver = createReceiver({ scheme: schemes.discord({ publicKey }) });
    let runs = 0;
    receiver.respond("application_command", () => ({ type: 4, data: { content: `run ${++runs}` } }));
    const post = await serve(receiver);
    const fixture = await command();
    const first = await post(fixture);
    const retried = await post(fixture);
    expect(first.json()).toEqual({ type: 4, data: { content: "run 1" } });
    expect(retried.status).toBe(200);
    expect(retried.text).toBe(first.text);
    expect(runs).toBe(1);
    const outcome = await receiver.handle({ headers: fixture.headers, rawBody: fixture.body });
    expect(outcome.outcome).toBe("duplicate");
  });

  it("answers 500 when the handler fails in time, and the retry runs it again", async () => {
    const receiver = createReceiver({ scheme: schemes.discord({ publicKey }) });
    let runs = 0;
    receiver.respond("application_command", () => {
      if (++runs === 1) throw new Error("flaky");
      return { type: 4, data: { content: "second time" } };
    });
    const post = await serve(receiver);
    const fixture = await command();
    expect((await post(fixture)).status).toBe(500);
    expect((await post(fixture)).json()).toEqual({ type: 4, data: { content: "second time" } });
  });

  it("sends a whole answer { status, headers, body } as given", async () => {
    const receiver = createReceiver({ scheme: schemes.discord({ publicKey }) });
    receiver.respond("application_command", () => ({
      status: 200,
      headers: { "x-answer": "yes" },
      body: { type: 4 as const, data: { content: "whole" } },
    }));
    const fixture = await command();
    const result = await receiver.handle({ headers: fixture.headers, rawBody: fixture.body });
    expect(result.status).toBe(200);
    expect(result.headers["x-answer"]).toBe("yes");
    expect(JSON.parse(result.body)).toEqual({ type: 4, data: { content: "whole" } });
  });

  it("declares Discord's deadline and deferred reply as facts", () => {
    expect(schemes.discord({ publicKey }).facts.deadline).toEqual({
      ms: 3000,
      deferred: { body: { type: 5 } },
    });
  });
});

describe("Answering Slack slash commands", () => {
  const secret = "slack-signing-secret-respond";
  const slashCommand = new URLSearchParams({
    token: "legacy",
    team_id: "T0001",
    command: "/weather",
    text: "94070",
    response_url: "https://hooks.slack.com/commands/1234/5678",
    trigger_id: "13345224609.738474920.8088930838d88f008e0",
    user_id: "U2147483697",
  }).toString();

  it("answers a slash command (a signed form body) with the handler's JSON", async () => {
    const receiver = createReceiver({ scheme: schemes.slack({ secret }) });
    const texts: unknown[] = [];
    receiver.respond("slash_command", (event) => {
      const payload = event.payload as { command: string; text: string };
      texts.push(payload.text);
      return { response_type: "in_channel", text: `Weather for ${payload.text}: sunny` };
    });
    const post = await serve(receiver);
    const fixture = await signedFixture(schemes.slack({ secret }), slashCommand);
    expect(fixture.headers["content-type"]).toContain("application/x-www-form-urlencoded");
    const answer = await post(fixture);
    expect(answer.status).toBe(200);
    expect(answer.json()).toEqual({ response_type: "in_channel", text: "Weather for 94070: sunny" });
    expect(texts).toEqual(["94070"]);
  });

  it("acknowledges a slow slash command with Slack's empty 200 at the deadline", async () => {
    const receiver = createReceiver({ scheme: schemes.slack({ secret }), deadlineMs: 200 });
    const late: unknown[] = [];
    receiver.respond("slash_command", async () => {
      await sleep(800);
      return { text: "late" };
    });
    receiver.onLate((_event, result) => {
      late.push(result);
    });
    const post = await serve(receiver);
    const answer = await post(await signedFixture(schemes.slack({ secret }), slashCommand));
    expect(answer.status).toBe(200);
    expect(answer.text).toBe("");
    await eventually(() => late.length === 1);
    expect(late).toEqual([{ text: "late" }]);
  });

  it("still answers url_verification with its challenge", async () => {
    const receiver = createReceiver({ scheme: schemes.slack({ secret }) });
    receiver.respond("url_verification", () => ({ text: "not me" }));
    const post = await serve(receiver);
    const fixture = await signedFixture(schemes.slack({ secret }), {
      type: "url_verification",
      token: "t",
      challenge: "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
    });
    expect((await post(fixture)).json()).toEqual({
      challenge: "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
    });
  });
});

const journals: Array<[string, () => DeliveryJournal]> = [
  ["memoryJournal", () => memoryJournal()],
  ["sqliteJournal", () => sqliteJournal({ path: ":memory:" })],
];

describe.each(journals)("Deadline guard for inline handlers (%s)", (_name, makeJournal) => {
  const secret = "whsec_deadline_guard_test";
  const scheme = schemes.stripe({ secret });
  const event = (id: string) => ({
    id,
    type: "invoice.paid",
    object: "event",
    data: { object: { id: "in_1" } },
  });

  it("answers 202 accepted within 1 s while a 3 s handler runs on; it completes and a retry is a duplicate", async () => {
    const journal = makeJournal();
    const receiver = createReceiver({ scheme, journal, deadlineMs: 500 });
    let finished = false;
    receiver.on("invoice.paid", async () => {
      await sleep(3000);
      finished = true;
    });
    const post = await serve(receiver);
    const fixture = await signedFixture(scheme, event("evt_slow_1"));
    const answer = await post(fixture);
    expect(answer.status).toBe(202);
    expect(answer.json()).toEqual({ status: "accepted", id: "evt_slow_1" });
    expect(answer.ms).toBeLessThan(1000);
    expect(finished).toBe(false);
    const [row] = (await journal.list({ id: "evt_slow_1" })).entries;
    expect(row?.status).toBe("received");
    await eventually(async () => (await journal.list({ id: "evt_slow_1" })).entries[0]?.status === "handled");
    expect(finished).toBe(true);
    const retried = await post(fixture);
    expect(retried.status).toBe(200);
    expect(retried.json()).toEqual({ status: "duplicate", id: "evt_slow_1" });
  });

  it("retries a handler that fails after the deadline, and marks it dead when it gives up", async () => {
    const journal = makeJournal();
    const errors: unknown[] = [];
    const alerts: Array<{ kind: string; deliveryId?: string | undefined }> = [];
    const receiver = createReceiver({
      scheme,
      journal,
      deadlineMs: 100,
      retry: { attempts: 3, backoff: 20 },
      alerts: { notify: (alert) => void alerts.push(alert), deadLetters: true },
    });
    let runs = 0;
    receiver.on("invoice.paid", async () => {
      runs++;
      await sleep(300);
      throw new Error(`still broken (${runs})`);
    });
    receiver.onError((error) => errors.push(error));
    const post = await serve(receiver);
    const fixture = await signedFixture(scheme, event("evt_dead_1"));
    const answer = await post(fixture);
    expect(answer.status).toBe(202);
    await eventually(async () => (await journal.list({ id: "evt_dead_1" })).entries[0]?.status === "dead");
    expect(runs).toBe(3);
    const [row] = (await journal.list({ id: "evt_dead_1" })).entries;
    const kept = await journal.get(row!.key);
    expect(kept?.lastError?.message).toBe("still broken (3)");
    expect(kept?.attempts).toBe(3);
    expect(errors.length).toBeGreaterThanOrEqual(3);
    // Given up through the receiver's deadLetter: the dead_letter alert is raised.
    await eventually(() => alerts.some((alert) => alert.kind === "dead_letter"));
    expect(alerts.find((alert) => alert.kind === "dead_letter")?.deliveryId).toBe("evt_dead_1");
    // Not lost: the key was released, so the delivery sent again runs again.
    expect((await post(fixture)).status).toBe(202);
    await eventually(
      async () => runs === 6 && (await journal.list({ id: "evt_dead_1" })).entries[0]?.status === "dead",
    );
  });

  it("a handler that fails once after the deadline succeeds on its local retry", async () => {
    const journal = makeJournal();
    const receiver = createReceiver({ scheme, journal, deadlineMs: 100, retry: { backoff: 10 } });
    let runs = 0;
    receiver.on("invoice.paid", async () => {
      await sleep(200);
      if (++runs === 1) throw new Error("once");
    });
    const post = await serve(receiver);
    const fixture = await signedFixture(scheme, event("evt_retry_1"));
    expect((await post(fixture)).status).toBe(202);
    await eventually(
      async () => (await journal.list({ id: "evt_retry_1" })).entries[0]?.status === "handled",
    );
    expect(runs).toBe(2);
    expect((await post(fixture)).json()).toEqual({ status: "duplicate", id: "evt_retry_1" });
  });
});

describe("Deadlines and the ordering guard", () => {
  it("moves a resource's watermark once a handler past its deadline is done: an older event is then stale", async () => {
    const scheme = schemes.stripe({ secret: "whsec_deadline_ordering" });
    const receiver = createReceiver({
      scheme,
      deadlineMs: 50,
      ordering: { key: (event) => (event.payload as { data: { object: { id: string } } }).data.object.id },
    });
    const ran: string[] = [];
    receiver.on("customer.subscription.updated", async (event) => {
      await sleep(250);
      ran.push(event.id);
    });
    const send = async (id: string, created: number) => {
      const rawBody = JSON.stringify({
        id,
        object: "event",
        type: "customer.subscription.updated",
        created,
        data: { object: { id: "sub_1", object: "subscription" } },
      });
      return receiver.handle({ headers: await scheme.sign({ rawBody }), rawBody });
    };
    expect((await send("evt_newer", 1_700_000_200)).outcome).toBe("accepted");
    // Settled (the key completed after the watermark moved): the retry is a duplicate.
    await eventually(async () => (await send("evt_newer", 1_700_000_200)).outcome === "duplicate");
    expect((await send("evt_older", 1_700_000_100)).outcome).toBe("stale");
    expect(ran).toEqual(["evt_newer"]);
  });
});

describe("Deadlines on edge runtimes", () => {
  it("registers the work past the answer with fetch's waitUntil", async () => {
    const scheme = schemes.stripe({ secret: "whsec_wait_until" });
    const journal = memoryJournal();
    const receiver = createReceiver({ scheme, journal, deadlineMs: 50 });
    let finished = false;
    receiver.on("invoice.paid", async () => {
      await sleep(300);
      finished = true;
    });
    const kept: Array<Promise<unknown>> = [];
    const fixture = await signedFixture(scheme, { id: "evt_edge_1", type: "invoice.paid", object: "event" });
    const response = await receiver.fetch(
      new Request("https://example.test/hook", {
        method: "POST",
        headers: fixture.headers,
        body: fixture.body,
      }),
      { waitUntil: (promise) => kept.push(promise) },
    );
    expect(response.status).toBe(202);
    expect(kept).toHaveLength(1);
    expect(finished).toBe(false);
    await kept[0];
    expect(finished).toBe(true);
    expect((await journal.list({ id: "evt_edge_1" })).entries[0]?.status).toBe("handled");
  });

  it("hands the work past the answer to Hono's executionCtx.waitUntil and Next's after", async () => {
    const scheme = schemes.stripe({ secret: "whsec_adapters_wait" });
    const receiver = createReceiver({ scheme, deadlineMs: 50 });
    let finished = 0;
    receiver.on("invoice.paid", async () => {
      await sleep(200);
      finished++;
    });
    const kept: Array<Promise<unknown>> = [];
    const waitUntil = (promise: Promise<unknown>) => {
      kept.push(promise);
    };
    const app = new Hono().post("/hook", webhookHandler(receiver));
    const post = async (id: string) => {
      const fixture = await signedFixture(scheme, { id, type: "invoice.paid", object: "event" });
      return new Request("https://example.test/hook", {
        method: "POST",
        headers: fixture.headers,
        body: fixture.body,
      });
    };
    const viaHono = await app.request(await post("evt_hono_wait"), undefined, undefined, {
      waitUntil,
      passThroughOnException() {},
      props: {},
    });
    const viaNext = await createRouteHandler(receiver, { waitUntil }).POST(await post("evt_next_wait"));
    expect([viaHono.status, viaNext.status]).toEqual([202, 202]);
    expect(kept).toHaveLength(2);
    await Promise.all(kept);
    expect(finished).toBe(2);
  });

  it("declares the senders' documented timeouts", () => {
    expect(schemes.github({ secret: "s" }).facts.deadline).toEqual({ ms: 10_000 });
    expect(schemes.shopify({ secret: "s" }).facts.deadline).toEqual({ ms: 5000 });
    expect(schemes.slack({ secret: "s" }).facts.deadline?.ms).toBe(3000);
    expect(schemes.stripe({ secret: "s" }).facts.deadline).toBeUndefined();
  });
});
