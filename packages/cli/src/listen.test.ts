import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { fixtures, signedFixture, signingScheme } from "@hookgate/testing";
import { afterEach, describe, expect, it } from "vitest";
import { listen } from "./commands/listen.js";
import { captureIO } from "./internal/test-io.js";

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

/** The user's app: records each body it is posted, answers 200. */
async function app() {
  const bodies: string[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      bodies.push(Buffer.concat(chunks).toString("utf8"));
      res.writeHead(200, { "content-type": "application/json" }).end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  closers.push(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks`, bodies };
}

const secret = "whsec_listen_duplicates";

/** `hookgate listen --forward-to`, and one GitHub delivery (its id unsigned) posted to it twice. */
async function twice(forwardDuplicates: boolean) {
  const target = await app();
  const { io, out } = captureIO();
  const running = await listen(
    {
      port: 0,
      scheme: "github",
      secret,
      forwardTo: target.url,
      ...(forwardDuplicates ? { forwardDuplicates } : {}),
    },
    io,
  );
  closers.push(() => running.close());
  const scheme = await signingScheme("github", secret);
  const delivery = await signedFixture(scheme, fixtures.github.push(), { id: "d-1" });
  const answers: unknown[] = [];
  for (let i = 0; i < 2; i++) {
    const response = await fetch(running.url, {
      method: "POST",
      headers: delivery.headers,
      body: delivery.body,
    });
    answers.push({
      status: response.status,
      outcome: ((await response.json()) as { status: string }).status,
    });
  }
  return { answers, forwarded: target.bodies, out: out(), sent: delivery.body };
}

describe("hookgate listen --forward-to: duplicates", () => {
  it("by default, a duplicate is answered 200 duplicate and not forwarded: the app sees each delivery once", async () => {
    const { answers, forwarded, out } = await twice(false);
    expect(answers).toEqual([
      { status: 200, outcome: "handled" },
      { status: 200, outcome: "duplicate" },
    ]);
    expect(forwarded).toHaveLength(1);
    expect(out).toMatch(/duplicates are answered here, not forwarded: --forward-duplicates/);
  });

  it("--forward-duplicates forwards the duplicate too, bytes as received; the sender still gets 200 duplicate", async () => {
    const { answers, forwarded, out, sent } = await twice(true);
    expect(answers).toEqual([
      { status: 200, outcome: "handled" },
      { status: 200, outcome: "duplicate" },
    ]);
    expect(forwarded).toEqual([sent, sent]);
    expect(out).toMatch(/200 duplicate .*→ app 200 /);
  });
});
