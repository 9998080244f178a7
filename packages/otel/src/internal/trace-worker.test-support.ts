// Test support (not exported): a worker PROCESS for otel-bullmq.test.ts. It consumes one BullMQ
// queue with a receiver told by otel(), and sends its finished spans and, when asked, its metrics
// to the parent over IPC — as an exporter would send them to a collector.
import { createWorker } from "@hookgate/bullmq";
import { createReceiver, schemes } from "@hookgate/core";
import type { ReadableSpan, SpanExporter } from "@opentelemetry/sdk-trace-base";
import { otel } from "../otel.js";
import { inMemorySdk, spanRecord } from "./in-memory-sdk.test-support.js";

const config = JSON.parse(process.env.OTEL_WORKER_CONFIG ?? "{}") as {
  secret: string;
  queue: string;
  host: string;
  port: number;
};
const send = (message: unknown) => process.send?.(message);

const exporter: SpanExporter = {
  export(spans: ReadableSpan[], done) {
    send({ spans: spans.map(spanRecord) });
    done({ code: 0 });
  },
  shutdown: async () => {},
};
const sdk = inMemorySdk(exporter);
const receiver = createReceiver({
  scheme: schemes.stripe({ secret: config.secret }),
  telemetry: otel(sdk),
}).on("invoice.paid", (event) => {
  send({ handled: event.id });
});
const worker = createWorker(receiver, {
  connection: { host: config.host, port: config.port },
  name: config.queue,
  verify: true,
});
process.on("message", async (message) => {
  if (message === "metrics") send({ metrics: await sdk.metrics() });
  if (message === "stop") {
    await worker.close();
    process.exit(0);
  }
});
await worker.waitUntilReady();
send({ ready: true });
