/**
 * One benchmark server, run as its own process: `server.ts <framework> <hookgate|reference>`.
 * Listens on 127.0.0.1 at a free port and prints `{"port":…}` on stdout once it is listening.
 *
 * hookgate: the framework's hookgate adapter over a Standard Webhooks receiver (memoryStore dedupe,
 * a no-op handler, inline). reference: the same framework's raw-body read + HMAC-SHA256 +
 * timingSafeEqual + JSON.parse, answering the same 200 JSON: the floor for that framework.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { createReceiver, schemes } from "@hookgate/core";
import { handleNodeRequest, writeNodeResponse } from "@hookgate/core/kit";
import { webhookMiddleware as expressMiddleware } from "@hookgate/express";
import { webhookHandler } from "@hookgate/hono";
import { webhookMiddleware as koaMiddleware } from "@hookgate/koa";
import express from "express";
import { Hono } from "hono";
import Koa from "koa";
import getRawBody from "raw-body";
import { SECRET } from "./deliveries.js";

const [framework, mode] = process.argv.slice(2) as [string, "hookgate" | "reference"];
const key = Buffer.from(SECRET.slice(6), "base64");
const OK = JSON.stringify({ received: true });

/** The reference check: what a hand-written Standard Webhooks endpoint must do, and no more. */
function check(headers: (name: string) => string | undefined, body: Uint8Array): boolean {
  const id = headers("webhook-id");
  const ts = headers("webhook-timestamp");
  const sig = headers("webhook-signature");
  if (!id || !ts || !sig) return false;
  const expected = Buffer.from(sig.slice(3), "base64");
  const actual = createHmac("sha256", key).update(`${id}.${ts}.`).update(body).digest();
  if (expected.length !== actual.length || !timingSafeEqual(actual, expected)) return false;
  JSON.parse(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString("utf8"));
  return true;
}

const nodeHeader = (req: IncomingMessage) => (name: string) => req.headers[name] as string | undefined;

const receiver = createReceiver({ scheme: schemes.standardWebhooks({ secret: SECRET }), tolerance: 3600 });
receiver.onAny(() => {});

type Listen = () => Promise<number>;

const servers: Record<string, Record<"hookgate" | "reference", Listen>> = {
  express: {
    hookgate: () => {
      const app = express();
      app.post("/webhooks", expressMiddleware(receiver));
      return listenNode(createServer(app));
    },
    reference: () => {
      const app = express();
      app.post("/webhooks", express.raw({ type: "*/*", limit: "1mb" }), (req, res) => {
        if (!check((n) => req.get(n), req.body as Buffer)) res.status(401).json({ error: "signature" });
        else res.type("application/json").send(OK);
      });
      return listenNode(createServer(app));
    },
  },
  koa: {
    hookgate: () => {
      const app = new Koa();
      const middleware = koaMiddleware(receiver);
      app.use((ctx, next) =>
        ctx.method === "POST" && ctx.path === "/webhooks" ? middleware(ctx, next) : next(),
      );
      return listenNode(createServer(app.callback()));
    },
    reference: () => {
      const app = new Koa();
      app.use(async (ctx, next) => {
        if (ctx.method !== "POST" || ctx.path !== "/webhooks") return next();
        const body = await getRawBody(ctx.req, { limit: "1mb" });
        if (!check((n) => ctx.get(n) || undefined, body)) {
          ctx.status = 401;
          ctx.body = { error: "signature" };
        } else {
          ctx.type = "application/json";
          ctx.body = OK;
        }
      });
      return listenNode(createServer(app.callback()));
    },
  },
  hono: {
    hookgate: () => {
      const app = new Hono();
      app.post("/webhooks", webhookHandler(receiver));
      return listenFetch(app.fetch);
    },
    reference: () => {
      const app = new Hono();
      app.post("/webhooks", async (c) => {
        const body = new Uint8Array(await c.req.arrayBuffer());
        if (!check((n) => c.req.header(n), body)) return c.json({ error: "signature" }, 401);
        return c.body(OK, 200, { "content-type": "application/json" });
      });
      return listenFetch(app.fetch);
    },
  },
  node: {
    hookgate: () =>
      listenNode(
        createServer((req, res) => {
          handleNodeRequest(receiver, req).then((result) => writeNodeResponse(res, result));
        }),
      ),
    reference: () =>
      listenNode(
        createServer((req, res) => {
          const chunks: Buffer[] = [];
          req.on("data", (chunk: Buffer) => chunks.push(chunk));
          req.on("end", () => {
            const ok = check(nodeHeader(req), Buffer.concat(chunks));
            res.statusCode = ok ? 200 : 401;
            res.setHeader("content-type", "application/json");
            res.end(ok ? OK : '{"error":"signature"}');
          });
        }),
      ),
  },
  fetch: {
    hookgate: () => listenFetch((request) => receiver.fetch(request)),
    reference: () =>
      listenFetch(async (request) => {
        const body = new Uint8Array(await request.arrayBuffer());
        const ok = check((n) => request.headers.get(n) ?? undefined, body);
        return new Response(ok ? OK : '{"error":"signature"}', {
          status: ok ? 200 : 401,
          headers: { "content-type": "application/json" },
        });
      }),
  },
};

function listenNode(server: ReturnType<typeof createServer>): Promise<number> {
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port)),
  );
}

function listenFetch(fetch: (request: Request) => Response | Promise<Response>): Promise<number> {
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
