import type { IdempotencyStore } from "@hookgate/core";
import { redisStore } from "@hookgate/redis";
import { Redis } from "ioredis";
import { createClient } from "redis";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeRedisServer, type RedisServer, startRedisServer } from "./redis-support/redis-server.js";

// Counts what reaches the server, with MONITOR on a dedicated connection: each store call must be
// one command from the store's client (EVALSHA), its reads and writes running inside the script.

interface Seen {
  args: string[];
  source: string;
}

interface Flavour {
  name: string;
  connect(url: string): Promise<{
    store: IdempotencyStore;
    raw(args: string[]): Promise<unknown>;
    close(): Promise<unknown>;
  }>;
}

const flavours: Flavour[] = [
  {
    name: "ioredis",
    async connect(url) {
      const client = new Redis(url, { lazyConnect: true });
      await client.connect();
      return {
        store: redisStore({ client }),
        raw: ([command, ...args]) => client.call(command!, ...args),
        close: () => client.quit(),
      };
    },
  },
  {
    name: "node-redis",
    async connect(url) {
      const client = createClient({ url });
      await client.connect();
      return {
        store: redisStore({ client }),
        raw: (args) => client.sendCommand(args),
        close: () => client.quit(),
      };
    },
  },
];

describeRedisServer("redisStore: one round trip per call", () => {
  let server: RedisServer;
  let monitor: Redis;
  const seen: Seen[] = [];

  beforeAll(async () => {
    server = await startRedisServer();
    monitor = new Redis(server.url);
    const feed = await monitor.monitor();
    feed.on("monitor", (_time: string, args: string[], source: string) => {
      seen.push({ args, source });
    });
  });
  afterAll(async () => {
    monitor?.disconnect();
    await server?.destroy();
  });

  for (const flavour of flavours) {
    it(`${flavour.name}: claim, extend, complete, release and bind are one EVALSHA each, the script's first run on a server one more`, async () => {
      const { store, raw, close } = await flavour.connect(server.url);
      const address = /(?:^|\s)addr=(\S+)/.exec(String(await raw(["CLIENT", "INFO"])))![1]!;
      const mine = () => seen.filter((s) => s.source === address || s.source.endsWith(` ${address}`));

      // Sends an ECHO marker before and after `call`, and returns the commands between the two.
      let markers = 0;
      async function commandsOf(call: () => Promise<unknown>): Promise<string[]> {
        const start = `${flavour.name}-marker-${++markers}`;
        const end = `${flavour.name}-marker-${++markers}`;
        await raw(["ECHO", start]);
        await call();
        await raw(["ECHO", end]);
        for (let i = 0; i < 200 && !mine().some((s) => s.args[1] === end); i++)
          await new Promise((resolve) => setTimeout(resolve, 10));
        const commands = mine();
        const from = commands.findIndex((s) => s.args[1] === start);
        const to = commands.findIndex((s) => s.args[1] === end);
        expect(from, "the markers reached MONITOR").toBeGreaterThanOrEqual(0);
        expect(to).toBeGreaterThan(from);
        return commands.slice(from + 1, to).map((s) => s.args[0]!.toLowerCase());
      }

      const lock = { lockMs: 10_000, ttlMs: 60_000 };
      const key = `stripe:evt_${flavour.name}`;
      await raw(["SCRIPT", "FLUSH"]);
      // A server that does not have the script: EVALSHA answers NOSCRIPT, EVAL runs and caches it.
      let token = "";
      expect(
        await commandsOf(async () => {
          const claim = await store.claim(`${key}:cold`, lock);
          expect(claim.status).toBe("claimed");
        }),
      ).toEqual(["evalsha", "eval"]);

      expect(
        await commandsOf(async () => {
          const claim = await store.claim(key, lock);
          if (claim.status !== "claimed") throw new Error(claim.status);
          token = claim.token;
        }),
      ).toEqual(["evalsha"]);
      expect(
        await commandsOf(async () => expect((await store.claim(key, lock)).status).toBe("in-flight")),
      ).toEqual(["evalsha"]);
      // extend, complete and release meet their scripts for the first time: one extra EVAL each.
      expect(await commandsOf(() => store.extend(key, token, lock))).toEqual(["evalsha", "eval"]);
      expect(await commandsOf(() => store.extend(key, token, lock))).toEqual(["evalsha"]);
      expect(await commandsOf(() => store.release(`${key}:other`, "nobody"))).toEqual(["evalsha", "eval"]);
      expect(await commandsOf(() => store.release(key, "not-the-token"))).toEqual(["evalsha"]);
      expect(await commandsOf(() => store.complete(`${key}:never`, "nobody", lock))).toEqual([
        "evalsha",
        "eval",
      ]);
      expect(await commandsOf(async () => expect(await store.complete(key, token, lock)).toBe(true))).toEqual(
        ["evalsha"],
      );
      expect(
        await commandsOf(async () => expect((await store.claim(key, lock)).status).toBe("completed")),
      ).toEqual(["evalsha"]);

      // bind: one script too, whether it binds, finds or refreshes.
      const bound = `${key}:tenant`;
      expect(
        await commandsOf(async () => expect(await store.bind(bound, "a", { ttlMs: 60_000 })).toBe("a")),
      ).toEqual(["evalsha", "eval"]);
      expect(
        await commandsOf(async () => expect(await store.bind(bound, "b", { ttlMs: 60_000 })).toBe("a")),
      ).toEqual(["evalsha"]);
      expect(
        await commandsOf(async () =>
          expect(await store.bind(bound, "c", { ttlMs: 60_000, refresh: true })).toBe("a"),
        ),
      ).toEqual(["evalsha"]);

      // The reads and writes happen inside the script, atomically, not as separate round trips.
      expect(seen.some((s) => s.source === "lua" && s.args[0]!.toLowerCase() === "set")).toBe(true);
      await close();
    });
  }
});
