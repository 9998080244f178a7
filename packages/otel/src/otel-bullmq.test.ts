import { type ChildProcess, fork } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { bullmqQueue } from "@hookgate/bullmq";
import { createReceiver, schemes } from "@hookgate/core";
import { handleNodeRequest, writeNodeResponse } from "@hookgate/core/kit";
import { SpanKind, SpanStatusCode } from "@opentelemetry/api";
import { Queue } from "bullmq";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeRedis, REDIS_URL } from "../../../test/support/services.js";
import { inMemorySdk, type PointRecord, type SpanRecord } from "./internal/in-memory-sdk.test-support.js";
import { otel } from "./otel.js";

const run = randomBytes(4).toString("hex");
const secret = `whsec_otel_${run}`;
const scheme = schemes.stripe({ secret });
const { hostname, port } = new URL(REDIS_URL);
const connection = { host: hostname, port: Number(port || 6379) };
const root = fileURLToPath(new URL("../../../", import.meta.url));
const TRACE_ID = randomBytes(16).toString("hex");
const SENDER_SPAN = randomBytes(8).toString("hex");

/** Messages from the worker process, and a way to wait for one. */
function inbox(child: ChildProcess) {
  const messages: Array<Record<string, unknown>> = [];
  const waiters: Array<() => void> = [];
  child.on("message", (message) => {
    messages.push(message as Record<string, unknown>);
    for (const wake of waiters.splice(0)) wake();
  });
  const exited = new Promise<never>((_, reject) =>
    child.once("exit", (code) => reject(new Error(`the worker process exited (${code})`))),
  );
  exited.catch(() => {});
  return {
    messages,
    async next<T>(pick: (message: Record<string, unknown>) => T | undefined, timeoutMs = 20_000): Promise<T> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        for (const message of messages) {
          const found = pick(message);
          if (found !== undefined) return found;
        }
        if (Date.now() > deadline)
          throw new Error(`no such message from the worker: ${JSON.stringify(messages)}`);
        const woken = new Promise<void>((wake) => waiters.push(wake));
        await Promise.race([woken, exited, new Promise((r) => setTimeout(r, 200))]);
      }
    },
  };
}

describeRedis("otel across a BullMQ hand-off: one trace from the sender to a worker process", () => {
  const name = `hookgate-otel-${run}`;
  const sdk = inMemorySdk();
  let queue: Queue;
  let server: Server;
  let url: string;
  let worker: ChildProcess;
  let messages: ReturnType<typeof inbox>;

  beforeAll(async () => {
    queue = new Queue(name, { connection });
    const receiver = createReceiver({ scheme, queue: bullmqQueue({ queue }), telemetry: otel(sdk) });
    server = createServer(async (req, res) => writeNodeResponse(res, await handleNodeRequest(receiver, req)));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks`;

    worker = fork(fileURLToPath(new URL("./internal/trace-worker.test-support.ts", import.meta.url)), {
      cwd: root,
      execArgv: ["--import", "tsx"],
      env: { ...process.env, OTEL_WORKER_CONFIG: JSON.stringify({ secret, queue: name, ...connection }) },
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    messages = inbox(worker);
    await messages.next((message) => message.ready);
  }, 60_000);

  afterAll(async () => {
    if (worker?.connected) {
      const exited = new Promise((resolve) => worker.once("exit", resolve));
      worker.send("stop");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    }
    worker?.kill("SIGKILL");
    await new Promise((resolve) => server?.close(resolve));
    await queue?.obliterate({ force: true });
    await queue?.close();
  });

  it("SERVER (receiver, child of the sender's traceparent) → PRODUCER → CONSUMER (worker process), and the metrics", async () => {
    const rawBody = JSON.stringify({
      id: `evt_${run}`,
      type: "invoice.paid",
      data: { object: { id: "in_1" } },
    });
    const response = await fetch(url, {
      method: "POST",
      headers: {
        ...(await scheme.sign({ rawBody })),
        "content-type": "application/json",
        traceparent: `00-${TRACE_ID}-${SENDER_SPAN}-01`,
      },
      body: rawBody,
    });
    expect(response.status).toBe(202);
    expect(await messages.next((message) => message.handled)).toBe(`evt_${run}`);
    const consumer = await messages.next((message) =>
      (message.spans as SpanRecord[] | undefined)?.find((span) => span.kind === SpanKind.CONSUMER),
    );

    const server = sdk.spans().find((span) => span.kind === SpanKind.SERVER)!;
    const producer = sdk.spans().find((span) => span.kind === SpanKind.PRODUCER)!;
    expect(server).toMatchObject({
      name: "webhook receive stripe",
      traceId: TRACE_ID,
      parentSpanId: SENDER_SPAN,
      attributes: { "webhook.outcome": "queued", "http.response.status_code": 202 },
    });
    expect(producer).toMatchObject({
      name: "webhook publish stripe",
      traceId: TRACE_ID,
      parentSpanId: server.spanId,
    });
    expect(consumer).toMatchObject({
      name: "webhook process invoice.paid",
      traceId: TRACE_ID,
      parentSpanId: producer.spanId,
      status: { code: SpanStatusCode.UNSET },
      attributes: {
        "webhook.scheme": "stripe",
        "webhook.event_type": "invoice.paid",
        "webhook.delivery_id": `evt_${run}`,
        "webhook.outcome": "handled",
      },
    });

    const delivered = { "webhook.scheme": "stripe", "webhook.event_type": "invoice.paid" };
    const here = await sdk.metrics();
    expect(here["hookgate.deliveries"]).toEqual([
      { attributes: { ...delivered, "webhook.outcome": "queued" }, value: 1 },
    ]);
    expect(here["hookgate.delivery.duration"]).toMatchObject([
      { attributes: { "webhook.outcome": "queued" }, count: 1 },
    ]);
    worker.send("metrics");
    const there = await messages.next(
      (message) => message.metrics as Record<string, PointRecord[]> | undefined,
    );
    const [lag] = there["hookgate.queue.lag"]!;
    expect(lag).toMatchObject({ attributes: delivered, count: 1 });
    // From receipt to the worker taking the job: positive, and well under the test's own duration.
    expect(lag!.sum).toBeGreaterThan(0);
    expect(lag!.sum).toBeLessThan(60);
  });
});
