import {
  createReceiver,
  memoryQueue,
  type StandardSchemaV1,
  schemes,
  type WebhookEvent,
} from "@hookgate/core";
import { describe, expect, it } from "vitest";
import { fixtures, type StripeInvoicePaidEvent, signedFixture, signedRequest, testHandler } from "./index.js";

const scheme = schemes.stripe({ secret: "whsec_test" });

function setup() {
  const calls: WebhookEvent[] = [];
  const receiver = createReceiver<{
    "invoice.paid": StripeInvoicePaidEvent;
    "checkout.session.completed": unknown;
  }>({ scheme });
  receiver.on("invoice.paid", (event) => {
    calls.push(event);
  });
  return { receiver, calls };
}

describe("testHandler", () => {
  it("handled: runs the handlers once, with the typed payload", async () => {
    const { receiver, calls } = setup();
    const payload = fixtures.stripe.invoicePaid({ data: { object: { amount_paid: 4900 } } });
    const result = await testHandler(receiver, await signedFixture(scheme, payload));
    expect(result).toMatchObject({ outcome: "handled", status: 200, id: payload.id });
    expect(result.code).toBeUndefined();
    expect(calls).toHaveLength(1);
    expect(calls[0]!.payload).toEqual(payload);
  });

  it("duplicate: the same delivery again runs no handler", async () => {
    const { receiver, calls } = setup();
    const fixture = await signedFixture(scheme, fixtures.stripe.invoicePaid());
    await testHandler(receiver, fixture);
    const again = await testHandler(receiver, fixture);
    expect(again).toMatchObject({ outcome: "duplicate", status: 200 });
    expect(calls).toHaveLength(1);
  });

  it.each([
    ["tampered body", { tamper: "body" }, "signature_mismatch", 401],
    ["tampered signature", { tamper: "signature" }, "signature_mismatch", 401],
    ["wrong secret", { secret: "whsec_wrong" }, "signature_mismatch", 401],
    ["stale timestamp", { timestamp: new Date(Date.now() - 600_000) }, "timestamp_too_old", 401],
  ] as const)("rejected: %s → %s", async (_name, options, code, status) => {
    const { receiver, calls } = setup();
    const result = await testHandler(
      receiver,
      await signedFixture(scheme, fixtures.stripe.invoicePaid(), options),
    );
    expect(result).toMatchObject({ outcome: "rejected", status, code });
    expect(result.message).toMatch(/^hookgate: /);
    expect(calls).toHaveLength(0);
  });

  it("rejected: a payload failing its schema → schema_validation_failed with the issues", async () => {
    const positive: StandardSchemaV1<unknown, { amount: number }> = {
      "~standard": {
        version: 1,
        vendor: "test",
        validate: (value) =>
          typeof (value as { amount?: unknown }).amount === "number" &&
          (value as { amount: number }).amount > 0
            ? { value: value as { amount: number } }
            : { issues: [{ message: "amount must be positive", path: ["amount"] }] },
      },
    };
    const receiver = createReceiver({ scheme, events: { "invoice.paid": positive } });
    const result = await testHandler(
      receiver,
      await signedFixture(scheme, { id: "evt_1", type: "invoice.paid", amount: -1 }),
    );
    expect(result).toMatchObject({
      outcome: "rejected",
      status: 422,
      code: "schema_validation_failed",
      body: { error: { details: { issues: [{ message: "amount must be positive", path: ["amount"] }] } } },
    });
  });

  it("rejected: a failing handler → handler_failed, with what it threw; the retry is processed", async () => {
    const receiver = createReceiver({ scheme });
    let attempts = 0;
    receiver.on("invoice.paid", () => {
      if (++attempts === 1) throw new Error("database timeout");
    });
    const fixture = await signedFixture(scheme, fixtures.stripe.invoicePaid());
    const failed = await testHandler(receiver, fixture);
    expect(failed).toMatchObject({ outcome: "rejected", status: 500, code: "handler_failed" });
    expect((failed.error as Error).cause).toEqual(new Error("database timeout"));
    expect(await testHandler(receiver, fixture)).toMatchObject({ outcome: "handled" });
    expect(attempts).toBe(2);
  });

  it("keeps each call's error to itself when calls overlap", async () => {
    const receiver = createReceiver({ scheme });
    receiver.on("invoice.paid", async (event) => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      throw new Error(`failed ${event.id}`);
    });
    const payloads = [fixtures.stripe.invoicePaid(), fixtures.stripe.invoicePaid()];
    const results = await Promise.all(
      payloads.map(async (payload) => testHandler(receiver, await signedFixture(scheme, payload))),
    );
    expect(results.map((r) => ((r.error as Error).cause as Error).message)).toEqual(
      payloads.map((p) => `failed ${p.id}`),
    );
  });

  it("queued: with a queue the answer is 202 and handlers run afterwards", async () => {
    const queue = memoryQueue();
    const receiver = createReceiver({ scheme, queue });
    const seen: string[] = [];
    receiver.on("checkout.session.completed", (event) => {
      seen.push(event.id);
    });
    const payload = fixtures.stripe.checkoutSessionCompleted();
    const result = await testHandler(receiver, await signedFixture(scheme, payload));
    expect(result).toMatchObject({ outcome: "queued", status: 202, id: payload.id });
    await queue.onIdle();
    expect(seen).toEqual([payload.id]);
  });

  it("handshake: Slack url_verification is answered with its challenge, no handler runs", async () => {
    const slack = schemes.slack({ secret: "s" });
    const receiver = createReceiver({ scheme: slack });
    let ran = false;
    receiver.onAny(() => {
      ran = true;
    });
    const payload = fixtures.slack.urlVerification();
    const result = await testHandler(receiver, await signedFixture(slack, payload));
    expect(result).toMatchObject({
      outcome: "handshake",
      status: 200,
      body: { challenge: payload.challenge },
    });
    expect(ran).toBe(false);
  });

  it("Twilio: presents the delivery at the fixture's url", async () => {
    const twilio = schemes.twilio({ secret: "token" });
    const receiver = createReceiver({ scheme: twilio });
    const bodies: string[] = [];
    receiver.on("message.received", (event) => {
      bodies.push((event.payload as { Body: string }).Body);
    });
    const fixture = await signedFixture(twilio, fixtures.twilio.incomingMessage({ Body: "YES" }), {
      url: "https://example.com/sms",
    });
    expect(await testHandler(receiver, fixture)).toMatchObject({ outcome: "handled" });
    expect(bodies).toEqual(["YES"]);
    expect(
      await testHandler(
        receiver,
        { ...fixture, headers: { ...fixture.headers } },
        { url: "https://evil.example/sms" },
      ),
    ).toMatchObject({ outcome: "rejected", code: "signature_mismatch" });
  });
});

describe("signedRequest", () => {
  it("is a Web Request the receiver's fetch accepts", async () => {
    const { receiver, calls } = setup();
    const request = await signedRequest(
      scheme,
      "https://example.com/webhooks",
      fixtures.stripe.invoicePaid(),
    );
    expect(request.method).toBe("POST");
    const response = await receiver.fetch(request);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: "handled" });
    expect(calls).toHaveLength(1);
  });

  it("signs the url it is sent to (Twilio)", async () => {
    const twilio = schemes.twilio({ secret: "token" });
    const receiver = createReceiver({ scheme: twilio });
    const request = await signedRequest(
      twilio,
      "https://example.com/sms?x=1",
      fixtures.twilio.incomingMessage(),
    );
    expect((await receiver.fetch(request)).status).toBe(200);
  });
});
