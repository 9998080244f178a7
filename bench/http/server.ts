/**
 * One benchmark server, run as its own process: `server.ts <framework> <mode> [provider]`.
 * Listens on 127.0.0.1 at a free port and prints `{"port":…}` on stdout once it is listening.
 *
 * - `hookgate`: the framework's hookgate adapter, handlers inline (memoryStore dedupe, no-op handler).
 * - `queued`: the same with `memoryQueue({ concurrency: 4 })`: dedupe, hand-off, 202 — the job a
 *   receiver does in production.
 * - `reference`: the framework's raw-body read + HMAC + timingSafeEqual + `JSON.parse` (verify only).
 * - `same-job`: what `queued` does, written by hand: raw body, HMAC, `JSON.parse`, claim the id in a
 *   bounded set, hand to an in-memory queue drained by four workers, 202.
 * - peers, each on its own framework and provider: `octokit` (`createNodeMiddleware`, node:http,
 *   GitHub), `stripe` (`stripe.webhooks.constructEvent` in Express), `svix` (`Webhook.verify` in
 *   Hono), `tern` (`@hookflo/tern`'s Express middleware, Stripe).
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { createWebhookMiddleware as ternMiddleware } from "@hookflo/tern/express";
import { createReceiver, memoryQueue, schemes } from "@hookgate/core";
import { handleNodeRequest, writeNodeResponse } from "@hookgate/core/kit";
import { webhookMiddleware as expressMiddleware } from "@hookgate/express";
import { webhookHandler } from "@hookgate/hono";
import { webhookMiddleware as koaMiddleware } from "@hookgate/koa";
import { createNodeMiddleware, Webhooks } from "@octokit/webhooks";
import express from "express";
import { Hono } from "hono";
import Koa from "koa";
import getRawBody from "raw-body";
import Stripe from "stripe";
import { Webhook as SvixWebhook } from "svix";
import { GITHUB_SECRET, type Provider, SECRET, STRIPE_SECRET } from "./deliveries.js";

type Mode = "hookgate" | "queued" | "reference" | "same-job" | "octokit" | "stripe" | "svix" | "tern";
const [framework, mode, provider = "standard-webhooks"] = process.argv.slice(2) as [string, Mode, Provider];
const swKey = Buffer.from(SECRET.slice(6), "base64");
const OK = JSON.stringify({ received: true });
const ACCEPTED = JSON.stringify({ status: "queued" });

type Header = (name: string) => string | undefined;
const text = (body: Uint8Array) =>
  Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString("utf8");
const equal = (actual: Buffer, expected: Buffer) =>
  expected.length === actual.length && timingSafeEqual(actual, expected);

/**
 * The hand-written check for the provider: verify the signature over the raw bytes, parse the
 * JSON, and return the delivery id (`undefined` when it does not verify) — and no more.
 */
const checks: Record<Provider, (header: Header, body: Uint8Array) => string | undefined> = {
  "standard-webhooks": (header, body) => {
    const id = header("webhook-id");
    const ts = header("webhook-timestamp");
    const sig = header("webhook-signature");
    if (!id || !ts || !sig) return undefined;
    const actual = createHmac("sha256", swKey).update(`${id}.${ts}.`).update(body).digest();
    if (!equal(actual, Buffer.from(sig.slice(3), "base64"))) return undefined;
    JSON.parse(text(body));
    return id;
  },
  github: (header, body) => {
    const id = header("x-github-delivery");
    const sig = header("x-hub-signature-256");
    if (!id || !sig?.startsWith("sha256=")) return undefined;
    const actual = createHmac("sha256", GITHUB_SECRET).update(body).digest();
    if (!equal(actual, Buffer.from(sig.slice(7), "hex"))) return undefined;
    JSON.parse(text(body));
    return id;
  },
  stripe: (header, body) => {
    const sig = header("stripe-signature");
    const t = /(?:^|,)t=(\d+)/.exec(sig ?? "")?.[1];
    const v1 = /(?:^|,)v1=([0-9a-f]+)/.exec(sig ?? "")?.[1];
    if (!t || !v1 || Math.abs(Date.now() / 1000 - Number(t)) > 300) return undefined;
    const actual = createHmac("sha256", STRIPE_SECRET).update(`${t}.`).update(body).digest();
    if (!equal(actual, Buffer.from(v1, "hex"))) return undefined;
    return (JSON.parse(text(body)) as { id: string }).id;
  },
};
const check = checks[provider];

/**
 * `same-job`: the ids seen, bounded (two generations of 50,000: the older is dropped whole when the
 * newer fills, O(1) per id — deleting a `Map`'s first key one at a time instead slows V8 to ~100 µs
 * per id once it evicts, which would make the hand-written side look slow) and a queue drained by
 * four workers.
 */
let claimed = new Set<string>();
let previous = new Set<string>();
const jobs: unknown[] = [];
let running = 0;
const handle = (_job: unknown) => Promise.resolve();
function drain(): void {
  while (running < 4 && jobs.length > 0) {
    running++;
    handle(jobs.shift()).finally(() => {
      running--;
      drain();
    });
  }
}
/** The same job by hand: verify, claim, enqueue; the status and body to answer. */
function sameJob(header: Header, body: Uint8Array): [number, string] {
  const id = check(header, body);
  if (!id) return [401, '{"error":"signature"}'];
  if (claimed.has(id) || previous.has(id)) return [200, '{"status":"duplicate"}'];
  claimed.add(id);
  if (claimed.size >= 50_000) {
    previous = claimed;
    claimed = new Set();
  }
  jobs.push({ id, body });
  drain();
  return [202, ACCEPTED];
}

const hookgateScheme =
  provider === "github"
    ? schemes.github({ secret: GITHUB_SECRET })
    : provider === "stripe"
      ? schemes.stripe({ secret: STRIPE_SECRET })
      : schemes.standardWebhooks({ secret: SECRET });
const receiver = createReceiver({
  scheme: hookgateScheme,
  tolerance: 3600,
  ...(mode === "queued" ? { queue: memoryQueue({ concurrency: 4 }) } : {}),
});
receiver.onAny(() => {});

type Listen = () => Promise<number>;
const hookgate = mode === "hookgate" || mode === "queued";

const servers: Record<string, Partial<Record<Mode, Listen>>> = {
  express: {
    ...(hookgate && {
      [mode]: () => {
        const app = express();
        app.post("/webhooks", expressMiddleware(receiver));
        return listenNode(createServer(app));
      },
    }),
    reference: () =>
      expressRaw((req, res, body) =>
        res
          .status(check((n) => req.get(n), body) ? 200 : 401)
          .type("json")
          .send(OK),
      ),
    "same-job": () =>
      expressRaw((req, res, body) => {
        const [status, answer] = sameJob((n) => req.get(n), body);
        res.status(status).type("json").send(answer);
      }),
    stripe: () => {
      const stripe = new Stripe("sk_test_bench");
      return expressRaw((req, res, body) => {
        stripe.webhooks.constructEvent(body as Buffer, req.get("stripe-signature")!, STRIPE_SECRET);
        res.type("json").send(OK);
      });
    },
    tern: () => {
      const app = express();
      app.post(
        "/webhooks",
        express.raw({ type: "*/*", limit: "1mb" }),
        ternMiddleware({ platform: "stripe", secret: STRIPE_SECRET }),
        (_req, res) => void res.type("json").send(OK),
      );
      return listenNode(createServer(app));
    },
  },
  koa: {
    ...(hookgate && {
      [mode]: () => {
        const app = new Koa();
        const middleware = koaMiddleware(receiver);
        app.use((ctx, next) =>
          ctx.method === "POST" && ctx.path === "/webhooks" ? middleware(ctx, next) : next(),
        );
        return listenNode(createServer(app.callback()));
      },
    }),
    reference: () => koaRaw((ctx, body) => [check((n) => ctx.get(n) || undefined, body) ? 200 : 401, OK]),
    "same-job": () => koaRaw((ctx, body) => sameJob((n) => ctx.get(n) || undefined, body)),
  },
  hono: {
    ...(hookgate && {
      [mode]: () => {
        const app = new Hono();
        app.post("/webhooks", webhookHandler(receiver));
        return listenFetch(app.fetch);
      },
    }),
    reference: () => honoRaw((header, body) => [check(header, body) ? 200 : 401, OK]),
    "same-job": () => honoRaw(sameJob),
    svix: () => {
      const svix = new SvixWebhook(SECRET);
      const app = new Hono();
      app.post("/webhooks", async (c) => {
        const payload = await c.req.text();
        svix.verify(payload, c.req.header());
        return c.body(OK, 200, { "content-type": "application/json" });
      });
      return listenFetch(app.fetch);
    },
  },
  node: {
    ...(hookgate && {
      [mode]: () =>
        listenNode(
          createServer((req, res) => {
            handleNodeRequest(receiver, req).then((result) => writeNodeResponse(res, result));
          }),
        ),
    }),
    reference: () =>
      nodeRaw((req, body) => (check(nodeHeader(req), body) ? [200, OK] : [401, '{"error":"signature"}'])),
    "same-job": () => nodeRaw((req, body) => sameJob(nodeHeader(req), body)),
    octokit: () => {
      const webhooks = new Webhooks({ secret: GITHUB_SECRET });
      webhooks.onAny(() => {});
      return listenNode(createServer(createNodeMiddleware(webhooks, { path: "/webhooks" })));
    },
  },
  fetch: {
    // As a user serves it on node-server: `serve({ fetch: receiver.fetch })`, Node's request beside the Web one.
    ...(hookgate && { [mode]: () => listenFetch(receiver.fetch) }),
    reference: () =>
      fetchRaw((request, body) =>
        check((n) => request.headers.get(n) ?? undefined, body) ? [200, OK] : [401, "{}"],
      ),
    "same-job": () => fetchRaw((request, body) => sameJob((n) => request.headers.get(n) ?? undefined, body)),
  },
};

function expressRaw(
  handler: (req: express.Request, res: express.Response, body: Uint8Array) => void,
): Promise<number> {
  const app = express();
  app.post("/webhooks", express.raw({ type: "*/*", limit: "1mb" }), (req, res) =>
    handler(req, res, req.body as Buffer),
  );
  return listenNode(createServer(app));
}

function koaRaw(handler: (ctx: Koa.Context, body: Uint8Array) => [number, string]): Promise<number> {
  const app = new Koa();
  app.use(async (ctx, next) => {
    if (ctx.method !== "POST" || ctx.path !== "/webhooks") return next();
    const [status, answer] = handler(ctx, await getRawBody(ctx.req, { limit: "1mb" }));
    ctx.status = status;
    ctx.type = "application/json";
    ctx.body = answer;
  });
  return listenNode(createServer(app.callback()));
}

function honoRaw(handler: (header: Header, body: Uint8Array) => [number, string]): Promise<number> {
  const app = new Hono();
  app.post("/webhooks", async (c) => {
    const [status, answer] = handler((n) => c.req.header(n), new Uint8Array(await c.req.arrayBuffer()));
    return c.body(answer, status as 200, { "content-type": "application/json" });
  });
  return listenFetch(app.fetch);
}

const nodeHeader = (req: IncomingMessage) => (name: string) => req.headers[name] as string | undefined;

function nodeRaw(handler: (req: IncomingMessage, body: Uint8Array) => [number, string]): Promise<number> {
  return listenNode(
    createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => {
        const [status, answer] = handler(req, Buffer.concat(chunks));
        res.statusCode = status;
        res.setHeader("content-type", "application/json");
        res.end(answer);
      });
    }),
  );
}

function fetchRaw(handler: (request: Request, body: Uint8Array) => [number, string]): Promise<number> {
  return listenFetch(async (request) => {
    const [status, answer] = handler(request, new Uint8Array(await request.arrayBuffer()));
    return new Response(answer, { status, headers: { "content-type": "application/json" } });
  });
}

function listenNode(server: ReturnType<typeof createServer>): Promise<number> {
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port)),
  );
}

function listenFetch(
  fetch: (request: Request, env: { incoming: unknown }) => Response | Promise<Response>,
): Promise<number> {
  return new Promise((resolve) => {
    serve({ fetch, port: 0, hostname: "127.0.0.1" }, (info) => resolve(info.port));
  });
}

const listen = servers[framework]?.[mode];
if (!listen) throw new Error(`bench/http: unknown server ${framework} ${mode}`);
// Exit normally on SIGTERM, so `node --cpu-prof` writes its profile when the harness stops us.
process.on("SIGTERM", () => process.exit(0));
const port = await listen();
process.stdout.write(`${JSON.stringify({ port })}\n`);
