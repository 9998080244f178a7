import { createReceiver, type Receiver, schemes } from "@hookgate/core";
import { webhookPlugin } from "@hookgate/fastify";
import fastify, { type FastifyInstance } from "fastify";
import { afterEach, describe, expect, it } from "vitest";
import { requireFrom } from "./node-app.js";
import {
  type Answer,
  adapterScenarios,
  type Body,
  type StartedApp,
  type StartOptions,
  stripeEvent,
} from "./scenarios.js";

const fastify4 = requireFrom<typeof fastify>("fastify", "fastify4");

const versions = [
  ["Fastify 5", fastify, "fastify"],
  ["Fastify 4", fastify4, "fastify4"],
] as const;

/** Listens on a free port of 127.0.0.1; posts go through `fetch`. */
async function serve(app: FastifyInstance, path: string): Promise<StartedApp> {
  const origin = await app.listen({ port: 0, host: "127.0.0.1" });
  return { url: `${origin}${path}`, close: () => app.close() };
}

/** What a body-parsing middleware (express.json() under @fastify/express) does: reads request.raw first. */
function readBodyInHook(app: FastifyInstance): void {
  app.addHook("onRequest", async (request) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request.raw) chunks.push(chunk as Buffer);
    (request.raw as { body?: unknown }).body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
  });
}

for (const [version, framework, id] of versions) {
  it(`${version} is the version under test`, () => {
    const { version: installed } = requireFrom<{ version: string }>("fastify", `${id}/package.json`);
    expect(installed.split(".")[0]).toBe(version.slice(-1));
  });

  adapterScenarios({
    name: `${version}: app.register(webhookPlugin, { receiver, path })`,
    bodyParser: "@fastify/express",
    clientIp: true,
    async start(receiver: Receiver, options: StartOptions) {
      const app = framework();
      if (options.bodyParserFirst) readBodyInHook(app);
      await app.register(webhookPlugin, { receiver, path: "/webhooks/stripe", ...options });
      return serve(app, "/webhooks/stripe");
    },
  });

  adapterScenarios({
    name: `${version}: under a prefix, with a route parameter`,
    bodyParser: "@fastify/express",
    clientIp: true,
    async start(receiver: Receiver, options: StartOptions) {
      const app = framework();
      if (options.bodyParserFirst) readBodyInHook(app);
      await app.register(webhookPlugin, { prefix: "/hooks", receiver, path: "/:provider", ...options });
      return serve(app, "/hooks/stripe?attempt=1");
    },
  });
}

describe("Fastify specifics", () => {
  const scheme = schemes.stripe({ secret: "whsec_fastify_specifics" });
  const running: FastifyInstance[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((app) => app.close()));
  });

  async function post(app: FastifyInstance, path: string, headers: Record<string, string>, body: Body) {
    const origin = await app.listen({ port: 0, host: "127.0.0.1" });
    running.push(app);
    const response = await fetch(origin + path, { method: "POST", headers, body });
    return {
      status: response.status,
      headers: response.headers,
      text: await response.text(),
    } satisfies Answer;
  }

  for (const [version, framework] of versions) {
    it(`${version}: other routes keep Fastify's JSON parser, the webhook route gets the exact bytes`, async () => {
      const receiver = createReceiver({ scheme });
      const raw: Uint8Array[] = [];
      receiver.onAny((event) => void raw.push(event.rawBody));
      const app = framework();
      await app.register(webhookPlugin, { receiver, path: "/webhooks/stripe" });
      app.post("/api/orders", async (request) => ({ parsed: request.body }));
      const origin = await app.listen({ port: 0, host: "127.0.0.1" });
      running.push(app);

      const order = await fetch(`${origin}/api/orders`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: '{ "sku":  "a-1" }',
      });
      expect(await order.json()).toEqual({ parsed: { sku: "a-1" } });

      const { body } = stripeEvent({ note: "héllo 🎉" });
      const bytes = Buffer.from(body.replaceAll("\n", "\r\n"));
      const answer = await fetch(`${origin}/webhooks/stripe`, {
        method: "POST",
        headers: await scheme.sign({ rawBody: bytes }),
        body: bytes,
      });
      expect(answer.status).toBe(200);
      expect(Buffer.from(raw[0]!).equals(bytes)).toBe(true);
    });

    it(`${version}: a body re-encoded by a JSON parser fails verification`, async () => {
      const receiver = createReceiver({ scheme });
      const app = framework();
      const { body } = stripeEvent();
      // What verifying Fastify's parsed body would mean: the bytes JSON.stringify gives back.
      const reencoded = JSON.stringify(JSON.parse(body));
      await app.register(webhookPlugin, { receiver, path: "/webhooks" });
      const answer = await post(app, "/webhooks", await scheme.sign({ rawBody: reencoded }), body);
      expect(answer.status).toBe(401);
      expect(JSON.parse(answer.text).error.code).toBe("signature_mismatch");
    });

    it(`${version}: takes the client address from request.ip, so trustProxy applies`, async () => {
      const receiver = createReceiver({ scheme, allowIps: ["203.0.113.0/24"] });
      const { body } = stripeEvent();
      const headers = { ...(await scheme.sign({ rawBody: body })), "x-forwarded-for": "203.0.113.7" };
      const trusting = framework({ trustProxy: true });
      await trusting.register(webhookPlugin, { receiver, path: "/webhooks" });
      expect((await post(trusting, "/webhooks", headers, body)).status).toBe(200);
      const direct = framework();
      await direct.register(webhookPlugin, { receiver, path: "/webhooks" });
      expect((await post(direct, "/webhooks", headers, stripeEvent().body)).status).toBe(403);
    });
  }
});
