import { fileURLToPath } from "node:url";
import { journalConformance, queueConformance, storeConformance, workerConformance } from "@hookgate/testing";
import type { Miniflare } from "miniflare";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundleForRuntime } from "../runtimes/bundle.js";
import { describeWorkerd, startWorkerd } from "../runtimes/workerd.js";

// The suites' scenario names, read in Node; each scenario runs inside workerd by its index.
const never = () => {
  throw new Error("not run in Node");
};
const names = {
  "d1-store": storeConformance(never).map((s) => s.name),
  "do-store": storeConformance(never).map((s) => s.name),
  "d1-journal": journalConformance(never).map((s) => s.name),
  queue: queueConformance(never).map((s) => s.name),
  worker: workerConformance(never).map((s) => s.name),
};
// max_retries of each worker scenario's queue: its `attempts` less the first run.
const workerRetries: number[] = [2, 2, 0, 2, 2];

const queueNames = names.queue.map((_, i) => `q-${i}`);
const workerQueues = names.worker.map((_, i) => `w-${i}`);
const binding = (queue: string) => queue.toUpperCase().replace(/-/g, "_");

describeWorkerd("@hookgate/cloudflare in workerd (local D1, Durable Objects, Queues)", () => {
  let mf: Miniflare;
  beforeAll(async () => {
    const script = await bundleForRuntime(fileURLToPath(new URL("./conformance-worker.ts", import.meta.url)));
    mf = startWorkerd({
      modules: true,
      script,
      d1Databases: { DB: "hookgate-conformance" },
      durableObjects: { STORE: "HookgateStoreObject" },
      queueProducers: Object.fromEntries([...queueNames, ...workerQueues].map((q) => [binding(q), q])),
      queueConsumers: Object.fromEntries([
        ...queueNames.map((q) => [q, { maxBatchTimeout: 0.05 }]),
        ...workerQueues.map((q, i) => [
          q,
          { maxBatchTimeout: 0.05, maxRetries: workerRetries[i]!, retryDelay: 0 },
        ]),
      ]),
      bindings: { RETRIES: Object.fromEntries(workerQueues.map((q, i) => [q, workerRetries[i]!])) },
    });
  }, 60_000);
  afterAll(() => mf?.dispose());

  for (const [suite, scenarios] of Object.entries(names)) {
    describe(`${suite} conformance`, () => {
      scenarios.forEach((name, index) => {
        it(name, async () => {
          const answer = await mf.dispatchFetch(`http://localhost/run?suite=${suite}&index=${index}`);
          const result = (await answer.json()) as { name: string; ok: boolean; detail?: string };
          expect(result.name).toBe(name);
          expect(result.detail).toBeUndefined();
          expect(result.ok).toBe(true);
        }, 60_000);
      });
    });
  }
});
