import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { redisStore } from "@hookgate/redis";
import { storeConformance } from "@hookgate/testing";
import { Cluster, Redis } from "ioredis";
import { createCluster } from "redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  describeRedisServer,
  freePort,
  type RedisServer,
  startRedisServer,
} from "./redis-support/redis-server.js";

const run = promisify(execFile);

// A 3-node Redis Cluster (no replicas) on local ports, created by this test.
describeRedisServer("redisStore on a 3-node Redis Cluster", () => {
  const nodes: RedisServer[] = [];
  let ioredisCluster: Cluster;
  let nodeRedisCluster: ReturnType<typeof createCluster>;

  beforeAll(async () => {
    const ports = new Set<number>();
    while (ports.size < 3) ports.add(await freePort());
    nodes.push(
      ...(await Promise.all(
        [...ports].map((port) =>
          startRedisServer({
            port,
            args: [
              "--cluster-enabled",
              "yes",
              "--cluster-config-file",
              "nodes.conf",
              "--cluster-node-timeout",
              "5000",
            ],
          }),
        ),
      )),
    );
    await run("redis-cli", [
      "--cluster",
      "create",
      ...nodes.map((n) => `127.0.0.1:${n.port}`),
      "--cluster-replicas",
      "0",
      "--cluster-yes",
    ]);
    // Every node must agree the cluster is up before clients route to it.
    for (const node of nodes) {
      for (let i = 0; ; i++) {
        const { stdout } = await run("redis-cli", ["-p", String(node.port), "cluster", "info"]);
        if (stdout.includes("cluster_state:ok")) break;
        if (i > 200) throw new Error(`cluster on :${node.port} did not come up:\n${stdout}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
    const startup = nodes.map((n) => ({ host: "127.0.0.1", port: n.port }));
    ioredisCluster = new Cluster(startup);
    await new Promise<void>((resolve, reject) => {
      ioredisCluster.once("ready", resolve);
      ioredisCluster.once("error", reject);
    });
    nodeRedisCluster = createCluster({ rootNodes: nodes.map((n) => ({ url: n.url })) });
    await nodeRedisCluster.connect();
  }, 60_000);

  afterAll(async () => {
    await ioredisCluster?.quit().catch(() => {});
    await nodeRedisCluster?.quit().catch(() => {});
    await Promise.all(nodes.map((n) => n.destroy()));
  });

  // Both clients side by side; each scenario has its own keys.
  describe.concurrent("conformance", () => {
    const clients = {
      "ioredis Cluster": () => ioredisCluster,
      "node-redis createCluster": () => nodeRedisCluster,
    };
    for (const [name, client] of Object.entries(clients)) {
      const scenarios = storeConformance(() => redisStore({ client: client() }), {
        keyPrefix: name,
        shortLockMs: 300,
      });
      for (const scenario of scenarios) it(`${name}: ${scenario.name}`, scenario.run);
    }
  });

  it("spreads deliveries over the nodes by their own key", async () => {
    const store = redisStore({ client: ioredisCluster, prefix: "spread:" });
    for (let i = 0; i < 60; i++) await store.claim(`stripe:evt_${i}`, { lockMs: 60_000, ttlMs: 60_000 });
    const perNode = await Promise.all(
      nodes.map(async (node) => {
        const client = new Redis(node.url);
        const keys = await client.keys("spread:*");
        client.disconnect();
        return keys.length;
      }),
    );
    expect(perNode.reduce((sum, n) => sum + n, 0)).toBe(60);
    expect(
      perNode.every((n) => n > 0),
      `keys per node: ${perNode.join(", ")}`,
    ).toBe(true);
  });
});
