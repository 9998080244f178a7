import { fileURLToPath } from "node:url";
import { schemes } from "@hookgate/core";
import { fixtures, signedFixture } from "@hookgate/testing";
import type { Miniflare } from "miniflare";
import { afterAll, beforeAll, expect, it } from "vitest";
import { bundleForRuntime } from "../runtimes/bundle.js";
import { describeWorkerd, startWorkerd } from "../runtimes/workerd.js";

const secret = "whsec_hookgate_cloudflare_edge";
const scheme = schemes.stripe({ secret });
let mf: Miniflare;
let a: Awaited<ReturnType<Miniflare["getWorker"]>>;
let b: typeof a;

async function post(
  worker: typeof a,
  path: string,
  fixture: { headers: Record<string, string>; body: string },
) {
  const answer = await worker.fetch(`https://hooks.example.com${path}`, {
    method: "POST",
    headers: fixture.headers,
    body: fixture.body,
  });
  return {
    status: answer.status,
    body: (await answer.json()) as { status?: string; error?: { code: string } },
  };
}

async function runs(path: string, id: string): Promise<Array<{ isolate: string }>> {
  const rows = (await (await a.fetch("https://hooks.example.com/runs")).json()) as Array<{
    path: string;
    id: string;
    isolate: string;
  }>;
  return rows.filter((row) => row.path === path && row.id === id);
}

async function jobsSeen(id: string): Promise<number> {
  const answer = await a.fetch(`https://hooks.example.com/jobs?id=${id}`);
  return ((await answer.json()) as { n: number }).n;
}

async function until(what: string, condition: () => Promise<boolean>) {
  for (let i = 0; i < 400; i++) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`timed out until ${what}`);
}

describeWorkerd(
  "@hookgate/cloudflare in workerd: two isolates, one D1, one Durable Object namespace, one Queue",
  () => {
    beforeAll(async () => {
      const script = await bundleForRuntime(fileURLToPath(new URL("./edge-worker.ts", import.meta.url)));
      const shared = {
        modules: true,
        script,
        d1Databases: { DB: "hookgate-edge" },
        queueProducers: { WEBHOOKS: "webhooks" },
      };
      mf = startWorkerd({
        workers: [
          {
            ...shared,
            name: "edge-a",
            bindings: { SECRET: secret, ISOLATE: "a" },
            durableObjects: { STORE: "HookgateStoreObject" },
            queueConsumers: { webhooks: { maxBatchTimeout: 0.05, maxRetries: 3, retryDelay: 0 } },
          },
          {
            ...shared,
            name: "edge-b",
            bindings: { SECRET: secret, ISOLATE: "b" },
            durableObjects: { STORE: { className: "HookgateStoreObject", scriptName: "edge-a" } },
          },
        ],
      });
      a = await mf.getWorker("edge-a");
      b = await mf.getWorker("edge-b");
    }, 60_000);
    afterAll(() => mf?.dispose());

    it("a delivery sent to both Workers at once runs its handler once", async () => {
      const fixture = await signedFixture(scheme, fixtures.stripe.invoicePaid({ id: "evt_edge_inline" }));
      const copies = await Promise.all(
        Array.from({ length: 8 }, (_, i) => post(i % 2 ? b : a, "/inline", fixture)),
      );
      const statuses = copies.map((copy) => copy.status);
      expect(statuses.filter((status) => status === 200).length).toBeGreaterThanOrEqual(1);
      expect(statuses.every((status) => status === 200 || status === 409)).toBe(true);
      expect(copies.filter((copy) => copy.body.status === "handled")).toHaveLength(1);
      expect(await runs("inline", "evt_edge_inline")).toHaveLength(1);
      // The sender's later retry, on either Worker, is a duplicate.
      for (const worker of [a, b])
        expect((await post(worker, "/inline", fixture)).body.status).toBe("duplicate");
      expect(await runs("inline", "evt_edge_inline")).toHaveLength(1);
    });

    it("answers 202 once the Queue accepted the job, and the consumer runs it once", async () => {
      const fixture = await signedFixture(scheme, fixtures.stripe.invoicePaid({ id: "evt_edge_queued" }));
      const [first, second] = await Promise.all([post(b, "/queued", fixture), post(a, "/queued", fixture)]);
      // One copy is queued; the other finds it queued (200 duplicate) or still being handed off (409).
      const statuses = [first.status, second.status].sort();
      expect(statuses.filter((status) => status === 202)).toHaveLength(1);
      expect([200, 409]).toContain(statuses.find((status) => status !== 202));
      await until(
        "the consumer ran the job",
        async () => (await runs("queued", "evt_edge_queued")).length > 0,
      );
      await until("the journal shows it handled", async () => {
        const rows = (await (await b.fetch("https://hooks.example.com/journal")).json()) as Array<{
          id: string;
          status: string;
        }>;
        return rows.some((row) => row.id === "evt_edge_queued" && row.status === "handled");
      });
      expect((await post(b, "/queued", fixture)).body.status).toBe("duplicate");
      expect(await runs("queued", "evt_edge_queued")).toEqual([
        { path: "queued", id: "evt_edge_queued", isolate: "a" },
      ]);
      // The Queue delivers the same job again (an acknowledgement lost): the handler does not run again.
      expect(
        (await b.fetch("https://hooks.example.com/redeliver?id=evt_edge_queued", { method: "POST" })).status,
      ).toBe(204);
      await until("the consumer saw the job twice", async () => (await jobsSeen("evt_edge_queued")) === 2);
      expect(await runs("queued", "evt_edge_queued")).toHaveLength(1);
    });

    it("answers 503 queue_unavailable when the Queue refuses the job, and releases the key", async () => {
      // Cloudflare Queues refuse a message over 128 KB: a genuine refusal from the queue itself.
      const big = {
        ...fixtures.stripe.invoicePaid({ id: "evt_edge_refused" }),
        padding: "x".repeat(200_000),
      };
      const fixture = await signedFixture(scheme, big);
      const refused = await post(b, "/queued", fixture);
      expect(refused.status).toBe(503);
      expect(refused.body.error?.code).toBe("queue_unavailable");
      // The key was released: the sender's retry is tried again (and refused again), not a duplicate.
      const retry = await post(a, "/queued", fixture);
      expect(retry.body.error?.code).toBe("queue_unavailable");
      expect(await runs("queued", "evt_edge_refused")).toEqual([]);
    });
  },
);
