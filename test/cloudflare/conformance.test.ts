import { fileURLToPath } from "node:url";
import { type D1DatabaseBinding, type D1Journal, d1Journal } from "@hookgate/cloudflare";
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

  it("issue 20: a D1 table made before the attempt history gains its column on first use, rows kept", async () => {
    // miniflare's D1 binding, driven from Node: d1Journal is plain JavaScript over it.
    const database = (await mf.getD1Database("DB")) as unknown as D1DatabaseBinding;
    const table = `old_${Date.now().toString(36)}`;
    await database
      .prepare(
        `CREATE TABLE ${table} (key TEXT PRIMARY KEY, id TEXT NOT NULL, tenant TEXT, scheme TEXT NOT NULL, type TEXT NOT NULL, status TEXT NOT NULL, received_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, error_code TEXT, error_message TEXT, duration_ms REAL, matched_secret TEXT NOT NULL, size INTEGER NOT NULL, timestamp INTEGER, url TEXT, headers TEXT NOT NULL, raw_body BLOB NOT NULL, params TEXT, seal TEXT)`,
      )
      .run();
    await database
      .prepare(
        `INSERT INTO ${table} (key, id, scheme, type, status, received_at, updated_at, attempts, error_code, error_message, matched_secret, size, headers, raw_body) VALUES ('stripe:evt_old', 'evt_old', 'stripe', 'invoice.paid', 'failed', 1, 2, 1, 'handler_failed', 'db down', '{"index":0}', 1, '{}', x'61')`,
      )
      .run();
    // Two Workers' journals set up at once: one adds the column, the other finds it added.
    const journals = [d1Journal({ database, table }), d1Journal({ database, table })];
    await Promise.all(journals.map((journal) => journal.setup()));
    const [journal, other] = journals as [D1Journal, D1Journal];
    expect(await journal.get("stripe:evt_old")).toMatchObject({ attempts: 1, history: [] });
    expect(
      await other.update("stripe:evt_old", {
        status: "failed",
        at: new Date(10_000),
        attempt: true,
        durationMs: 4,
        error: { code: "handler_failed", message: "db down again" },
      }),
    ).toBe(true);
    expect((await journal.get("stripe:evt_old"))?.history).toEqual([
      {
        startedAt: new Date(9_996),
        outcome: "failed",
        durationMs: 4,
        error: { code: "handler_failed", message: "db down again" },
      },
    ]);
  });
});
