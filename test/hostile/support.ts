import { createHash, generateKeyPairSync, randomUUID } from "node:crypto";
import { createServer, type IncomingHttpHeaders, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { HandleResult, Receiver } from "@hookgate/core";
import { webhookMiddleware } from "@hookgate/express";
import { webhookHandler } from "@hookgate/hono";
import express from "express";
import { Hono } from "hono";

/**
 * What the hostile tests share: the request a hostile sender holds (one genuine captured
 * delivery, possibly edited) and the three ways to deliver it — in process, over real HTTP
 * through Express, and over real HTTP through Hono. Only APIs that existed before the fixes are
 * used, so these files also run against the code the issue was written about.
 */
export interface Attack {
  /** Path and query on the server; `url` for in-process calls is `http://<host><path>`. */
  path: string;
  headers: Record<string, string | string[]>;
  body: string | Uint8Array;
  /** The Host header to send (HTTP), or the host of the in-process URL. */
  host?: string;
}

export interface Answer {
  status: number;
  headers: IncomingHttpHeaders | Record<string, string>;
  body: string;
}

export type Route = "handle" | "express" | "hono";
export const routes: readonly Route[] = ["handle", "express", "hono"];

/** A running server for one receiver; `url(path)` is the URL a sender signs (Twilio). */
export interface Running {
  route: Route;
  origin: string;
  send(attack: Attack): Promise<Answer>;
  close(): Promise<void>;
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port)),
  );
}

/** Posts raw bytes with exactly these headers (repeated ones as arrays, any Host) over loopback. */
export function rawPost(port: number, attack: Attack): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const body = typeof attack.body === "string" ? Buffer.from(attack.body) : Buffer.from(attack.body);
    const headers: Record<string, string | string[]> = {
      ...attack.headers,
      "content-length": String(body.byteLength),
    };
    if (attack.host !== undefined) headers.host = attack.host;
    const req = request(
      {
        host: "127.0.0.1",
        port,
        method: "POST",
        path: attack.path,
        headers,
        setHost: attack.host === undefined,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString("utf8"),
          }),
        );
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

/** Serves `receiver` at `mount` (Express/Hono) or calls `receiver.handle` directly. */
export async function serve(route: Route, receiver: Receiver, mount = "/webhooks"): Promise<Running> {
  if (route === "handle") {
    return {
      route,
      origin: "http://127.0.0.1",
      async send(attack) {
        const result: HandleResult = await receiver.handle({
          method: "POST",
          url: `http://${attack.host ?? "127.0.0.1"}${attack.path}`,
          headers: attack.headers,
          rawBody: attack.body,
        });
        return { status: result.status, headers: result.headers, body: result.body };
      },
      close: async () => {},
    };
  }
  let server: Server;
  if (route === "express") {
    const app = express();
    app.post(mount, webhookMiddleware(receiver));
    server = createServer(app);
  } else {
    const { getRequestListener } = await import("@hono/node-server");
    const app = new Hono();
    app.post(mount, webhookHandler(receiver));
    server = createServer(getRequestListener(app.fetch));
  }
  const port = await listen(server);
  return {
    route,
    origin: `http://127.0.0.1:${port}`,
    send: (attack) => rawPost(port, attack),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

/** The error code of an answer, if it is a rejection. */
export function codeOf(answer: Answer): string | undefined {
  try {
    return (JSON.parse(answer.body) as { error?: { code?: string } }).error?.code;
  } catch {
    return undefined;
  }
}

export const sha256Hex = (text: string) => createHash("sha256").update(text).digest("hex");
export const freshId = () => randomUUID();

/** An Ed25519 key pair as Standard Webhooks spells it: `whsk_` (signs) and `whpk_` (verifies). */
export function standardWebhooksEd25519(): { signing: string; verifying: string } {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  const seed = privateKey.export({ format: "der", type: "pkcs8" }).subarray(-32);
  const pub = publicKey.export({ format: "der", type: "spki" }).subarray(-32);
  return { signing: `whsk_${seed.toString("base64")}`, verifying: `whpk_${pub.toString("base64")}` };
}

/** A minimal Standard Schema that accepts anything (for `events`). */
export const anything = {
  "~standard": {
    version: 1 as const,
    vendor: "hostile-tests",
    validate: (value: unknown) => ({ value }),
  },
};
