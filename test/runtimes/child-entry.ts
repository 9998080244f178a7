// The runtime suite in a child process (Bun, Deno): runs it, then serves `receiver.fetch` over real
// HTTP, and prints one JSON line (`ChildReport`) for the test that started it.
import { createReceiver, memoryStore, schemes } from "@hookgate/core";
import { forceWebRuntime, runtime } from "../../packages/core/src/internal/runtime.js";
import { type Result, runSuite } from "./suite.js";

/** What the child prints once, on one line, when its server listens. */
export interface ChildReport {
  /** The runtime's own version string. */
  version: string;
  /** The crypto hookgate used: node:crypto unless `web` was asked for. */
  crypto: "node:crypto" | "web-crypto";
  results: Result[];
  /** Where `receiver.fetch` listens: POST /hook (Stripe, the secret given), GET /seen (handled ids). */
  port: number;
}

/** Starts an HTTP server on 127.0.0.1 and an ephemeral port; resolves with the port. */
export type Serve = (handler: (request: Request) => Promise<Response>) => Promise<number>;

/** The server's handler: the receiver at /hook, the ids its handler saw at /seen. */
function app(secret: string): (request: Request) => Promise<Response> {
  const receiver = createReceiver({ scheme: schemes.stripe({ secret }), store: memoryStore() });
  const seen: string[] = [];
  receiver.onAny((event) => void seen.push(event.id));
  return async (request) => {
    const path = new URL(request.url).pathname;
    if (path === "/hook") return receiver.fetch(request);
    if (path === "/seen") return Response.json(seen);
    return new Response("not found", { status: 404 });
  };
}

/**
 * `mode` "web" forces Web Crypto (as an edge runtime without node:crypto); "node" keeps the
 * runtime's node:crypto. `secret` is the Stripe secret the test signs its requests with.
 */
export async function runChild(options: {
  version: string;
  mode: string;
  secret: string;
  serve: Serve;
  print: (line: string) => void;
}): Promise<void> {
  forceWebRuntime(options.mode === "web");
  const results = await runSuite();
  const port = await options.serve(app(options.secret));
  const crypto = runtime.crypto ? "node:crypto" : "web-crypto";
  const report: ChildReport = { version: options.version, crypto, results, port };
  options.print(JSON.stringify(report));
}
