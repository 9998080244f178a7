import { randomBytes } from "node:crypto";
import {
  createReceiver,
  type HeaderSigningScheme,
  memoryQueue,
  type QueuedDelivery,
  schemeForSecret,
  schemes,
} from "@hookgate/core";
import { signedFixture } from "@hookgate/testing";
import { context, metrics, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { afterEach, describe, expect, it } from "vitest";
import { inMemorySdk, type SpanRecord } from "./internal/in-memory-sdk.test-support.js";
import { otel } from "./otel.js";

const secret = "whsec_otel_tests";
const scheme = schemes.stripe({ secret });
const TRACE_ID = "0af7651916cd43dd8448eb211c80319c";
const PARENT_ID = "b7ad6b7169203331";
const TRACEPARENT = `00-${TRACE_ID}-${PARENT_ID}-01`;

async function request(
  id: string,
  headers: Record<string, string> = {},
  signWith: HeaderSigningScheme = scheme,
) {
  const rawBody = JSON.stringify({ id, type: "invoice.paid", data: { object: { id: `in_${id}` } } });
  const signed = await signWith.sign({ rawBody });
  return { method: "POST", url: "https://example.com/hooks", headers: { ...signed, ...headers }, rawBody };
}

const byKind = (spans: SpanRecord[], kind: SpanKind) => spans.filter((span) => span.kind === kind);

afterEach(() => {
  trace.disable();
  metrics.disable();
  context.disable();
});

describe("otel: spans and metrics", () => {
  it("inline: a SERVER span, child of the sender's traceparent, with the delivery and its answer", async () => {
    const sdk = inMemorySdk();
    const receiver = createReceiver({ scheme, telemetry: otel(sdk) }).on("invoice.paid", () => {});
    const result = await receiver.handle(await request("evt_inline", { traceparent: TRACEPARENT }));
    expect(result.status).toBe(200);

    const [span, ...others] = sdk.spans();
    expect(others).toEqual([]);
    expect(span).toMatchObject({
      name: "webhook receive stripe",
      kind: SpanKind.SERVER,
      traceId: TRACE_ID,
      parentSpanId: PARENT_ID,
      status: { code: SpanStatusCode.UNSET },
      attributes: {
        "webhook.scheme": "stripe",
        "webhook.event_type": "invoice.paid",
        "webhook.delivery_id": "evt_inline",
        "webhook.outcome": "handled",
        "http.response.status_code": 200,
      },
    });
    expect(span!.attributes).not.toHaveProperty("error.type");

    const points = await sdk.metrics();
    const attributes = {
      "webhook.scheme": "stripe",
      "webhook.event_type": "invoice.paid",
      "webhook.outcome": "handled",
    };
    expect(points["hookgate.deliveries"]).toEqual([{ attributes, value: 1 }]);
    expect(points["hookgate.delivery.duration"]).toMatchObject([{ attributes, count: 1 }]);
  });

  it("without a traceparent (or with a malformed one) a request starts its own trace", async () => {
    const sdk = inMemorySdk();
    const receiver = createReceiver({ scheme, telemetry: otel(sdk) }).on("invoice.paid", () => {});
    await receiver.handle(await request("evt_root"));
    await receiver.handle(await request("evt_bad", { traceparent: `00-${"0".repeat(32)}-${PARENT_ID}-01` }));
    const spans = sdk.spans();
    expect(spans).toHaveLength(2);
    for (const span of spans) {
      expect(span.parentSpanId).toBeUndefined();
      expect(span.traceId).not.toBe(TRACE_ID);
    }
    expect(spans[0]!.traceId).not.toBe(spans[1]!.traceId);
  });

  it("memoryQueue: SERVER → PRODUCER → CONSUMER in one trace, and the queue lag", async () => {
    const sdk = inMemorySdk();
    const queue = memoryQueue();
    const handled: string[] = [];
    const receiver = createReceiver({ scheme, queue, telemetry: otel(sdk) }).on("invoice.paid", (event) => {
      handled.push(event.id);
    });
    expect((await receiver.handle(await request("evt_queued", { traceparent: TRACEPARENT }))).status).toBe(
      202,
    );
    await queue.onIdle();
    expect(handled).toEqual(["evt_queued"]);

    const spans = sdk.spans();
    const [server] = byKind(spans, SpanKind.SERVER);
    const [producer] = byKind(spans, SpanKind.PRODUCER);
    const [consumer] = byKind(spans, SpanKind.CONSUMER);
    expect(server).toMatchObject({ parentSpanId: PARENT_ID, attributes: { "webhook.outcome": "queued" } });
    expect(server!.attributes["http.response.status_code"]).toBe(202);
    expect(producer).toMatchObject({
      name: "webhook publish stripe",
      traceId: TRACE_ID,
      parentSpanId: server!.spanId,
      attributes: { "webhook.delivery_id": "evt_queued", "webhook.event_type": "invoice.paid" },
    });
    expect(consumer).toMatchObject({
      name: "webhook process invoice.paid",
      traceId: TRACE_ID,
      parentSpanId: producer!.spanId,
      status: { code: SpanStatusCode.UNSET },
      attributes: { "webhook.delivery_id": "evt_queued", "webhook.outcome": "handled" },
    });
    const points = await sdk.metrics();
    expect(points["hookgate.queue.lag"]).toMatchObject([
      { attributes: { "webhook.scheme": "stripe", "webhook.event_type": "invoice.paid" }, count: 1 },
    ]);
    expect(points["hookgate.deliveries"]).toMatchObject([
      { attributes: { "webhook.outcome": "queued" }, value: 1 },
    ]);
  });

  it("queue lag is the time from receipt to the worker taking the job, in seconds", async () => {
    const sdk = inMemorySdk();
    const receivedAt = new Date();
    const jobs: QueuedDelivery[] = [];
    const queue = { enqueue: async (job: QueuedDelivery) => void jobs.push(job) };
    const receiver = createReceiver({ scheme, queue, telemetry: otel(sdk), now: () => receivedAt });
    await receiver.handle(await request("evt_lag"));
    expect(jobs[0]!.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);

    const later = new Date(receivedAt.getTime() + 90_000);
    const worker = createReceiver({ scheme, telemetry: otel(sdk), now: () => later }).on(
      "invoice.paid",
      () => {},
    );
    await worker.dispatch(jobs[0]!, { verify: true, once: true });
    const lag = (await sdk.metrics())["hookgate.queue.lag"];
    expect(lag).toMatchObject([{ count: 1, sum: 90 }]);
    const [producer] = byKind(sdk.spans(), SpanKind.PRODUCER);
    expect(byKind(sdk.spans(), SpanKind.CONSUMER)[0]).toMatchObject({
      traceId: producer!.traceId,
      parentSpanId: producer!.spanId,
    });
  });

  it("a refusal: span status ERROR with error.type, the outcome rejected, counted by code", async () => {
    const sdk = inMemorySdk();
    const receiver = createReceiver({ scheme, telemetry: otel(sdk) }).on("invoice.paid", () => {});
    const forged = await request("evt_forged", {}, schemes.stripe({ secret: "whsec_not_the_secret" }));
    expect((await receiver.handle(forged)).status).toBe(401);
    const [span] = sdk.spans();
    expect(span).toMatchObject({
      status: { code: SpanStatusCode.ERROR, message: "signature_mismatch" },
      attributes: {
        "webhook.outcome": "rejected",
        "error.type": "signature_mismatch",
        "http.response.status_code": 401,
      },
    });
    // Nothing unverified names the delivery.
    expect(span!.attributes).not.toHaveProperty("webhook.delivery_id");
    expect((await sdk.metrics())["hookgate.deliveries"]).toEqual([
      {
        attributes: {
          "webhook.scheme": "stripe",
          "webhook.outcome": "rejected",
          "error.type": "signature_mismatch",
        },
        value: 1,
      },
    ]);
  });

  it("a duplicate is its own outcome, not an error; a failing handler is handler_failed", async () => {
    const sdk = inMemorySdk();
    let fail = false;
    const receiver = createReceiver({ scheme, telemetry: otel(sdk) }).on("invoice.paid", () => {
      if (fail) throw new Error("boom");
    });
    const delivery = await request("evt_dup");
    await receiver.handle(delivery);
    expect((await receiver.handle(delivery)).outcome).toBe("duplicate");
    fail = true;
    expect((await receiver.handle(await request("evt_fails"))).status).toBe(500);

    const outcomes = sdk.spans().map((span) => [span.attributes["webhook.outcome"], span.status.code]);
    expect(outcomes).toEqual([
      ["handled", SpanStatusCode.UNSET],
      ["duplicate", SpanStatusCode.UNSET],
      ["rejected", SpanStatusCode.ERROR],
    ]);
    expect(sdk.spans()[2]!.attributes["error.type"]).toBe("handler_failed");
    const counts = Object.fromEntries(
      (await sdk.metrics())["hookgate.deliveries"]!.map((p) => [p.attributes["webhook.outcome"], p.value]),
    );
    expect(counts).toEqual({ handled: 1, duplicate: 1, rejected: 1 });
  });

  it("a job whose handler fails: CONSUMER span ERROR, outcome failed, error.type the error's class", async () => {
    const sdk = inMemorySdk();
    const queue = memoryQueue({ retry: { attempts: 1 } });
    class LedgerError extends Error {
      override name = "LedgerError";
    }
    const receiver = createReceiver({ scheme, queue, telemetry: otel(sdk) }).on("invoice.paid", () => {
      throw new LedgerError("account 42 is locked");
    });
    await receiver.handle(await request("evt_job_fails"));
    await queue.onIdle();
    const [consumer] = byKind(sdk.spans(), SpanKind.CONSUMER);
    expect(consumer).toMatchObject({
      status: { code: SpanStatusCode.ERROR, message: "LedgerError" },
      attributes: { "webhook.outcome": "failed", "error.type": "LedgerError" },
    });
    expect(JSON.stringify(sdk.spans())).not.toContain("account 42");
  });

  it("handlers run inside the span: a handler's own spans are its children, inline and on a worker", async () => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    const sdk = inMemorySdk();
    const tracer = sdk.tracerProvider.getTracer("app");
    const queue = memoryQueue();
    const work = () =>
      tracer.startActiveSpan("charge card", (span) => Promise.resolve().then(() => span.end()));
    const inline = createReceiver({ scheme, telemetry: otel(sdk) }).on("invoice.paid", work);
    const queued = createReceiver({ scheme, queue, telemetry: otel(sdk) }).on("invoice.paid", work);
    await inline.handle(await request("evt_inline_child", { traceparent: TRACEPARENT }));
    await queued.handle(await request("evt_queued_child", { traceparent: TRACEPARENT }));
    await queue.onIdle();

    const spans = sdk.spans();
    const children = spans.filter((span) => span.name === "charge card");
    expect(children).toHaveLength(2);
    const [server] = byKind(spans, SpanKind.SERVER);
    const [consumer] = byKind(spans, SpanKind.CONSUMER);
    expect(children[0]).toMatchObject({ traceId: TRACE_ID, parentSpanId: server!.spanId });
    expect(children[1]).toMatchObject({ traceId: TRACE_ID, parentSpanId: consumer!.spanId });
  });

  it("uses the global providers by default, the meter provider as registered at the first delivery", async () => {
    const sdk = inMemorySdk();
    const telemetry = otel();
    trace.setGlobalTracerProvider(sdk.tracerProvider);
    metrics.setGlobalMeterProvider(sdk.meterProvider);
    const receiver = createReceiver({ scheme, telemetry }).on("invoice.paid", () => {});
    await receiver.handle(await request("evt_global"));
    expect(sdk.spans().map((span) => span.name)).toEqual(["webhook receive stripe"]);
    expect((await sdk.metrics())["hookgate.deliveries"]).toHaveLength(1);
  });

  it("refuses options that are not providers", () => {
    expect(() => otel({ tracerProvider: {} as never })).toThrow(/tracerProvider/);
    expect(() => otel({ meterProvider: "x" as never })).toThrow(/meterProvider/);
    expect(() => otel(null as never)).toThrow(/otel options/);
  });
});

describe("otel: no credential, signature or body in any span or metric", () => {
  // cal-com sends no id: its delivery id is its signature, which must not be told either.
  const names = [
    "stripe",
    "github",
    "shopify",
    "slack",
    "standard-webhooks",
    "gitlab",
    "twilio",
    "mailgun",
    "linear",
    "cal-com",
  ];
  const MARKER = "body-marker-7f3a9c";

  it.each(names)("%s: accepted, forged and tampered deliveries", async (name) => {
    const newKey = () =>
      name === "standard-webhooks"
        ? `whsec_${randomBytes(24).toString("base64")}`
        : `${name}_secret_${randomBytes(16).toString("hex")}`;
    const key = newKey();
    const signer = schemeForSecret(name, key);
    const sdk = inMemorySdk();
    const queue = memoryQueue();
    const receiver = createReceiver({ scheme: signer, queue, telemetry: otel(sdk) }).onAny(() => {});
    const url = `https://hooks.example.com/in/${name}`;
    const payload = { id: `evt_${name}`, type: "thing.happened", object: { note: MARKER } };
    const options = { url, type: payload.type };
    const genuine = await signedFixture(signer, payload, options);
    const forged = await signedFixture(signer.withSigningKey(newKey()), payload, options);
    // Refused where the signature covers the body; accepted as another delivery where a shared
    // token signs nothing (GitLab, Mailgun's token): either way, nothing of it may be told.
    const tampered = await signedFixture(signer, payload, { ...options, tamper: "body" });
    const answers: number[] = [];
    for (const fixture of [genuine, forged, tampered]) {
      const headers = { ...fixture.headers, traceparent: TRACEPARENT };
      answers.push((await receiver.handle({ method: "POST", url, headers, rawBody: fixture.body })).status);
    }
    await queue.onIdle();
    expect(answers[0]).toBeLessThan(300);
    expect(answers[1]).toBeGreaterThanOrEqual(400);

    const told = JSON.stringify({ spans: sdk.spans(), metrics: await sdk.metrics() });
    const forbidden = [key, MARKER, genuine.body, forged.body, tampered.body];
    const lower = (h: Record<string, string>) =>
      Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]));
    for (const fixture of [genuine, forged, tampered]) {
      const headers = lower(fixture.headers);
      for (const header of [...signer.facts.signatureHeaders, ...signer.facts.credentialHeaders]) {
        const value = headers[header.toLowerCase()];
        if (value) forbidden.push(value);
      }
    }
    for (const value of forbidden) expect(told).not.toContain(JSON.stringify(value).slice(1, -1));
    // The spans did record something: the check above is not vacuous.
    expect(byKind(sdk.spans(), SpanKind.SERVER)).toHaveLength(3);
    expect(byKind(sdk.spans(), SpanKind.CONSUMER).length).toBeGreaterThanOrEqual(1);
  });
});
