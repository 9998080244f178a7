// The dashboard mounted under a path in real frameworks over real HTTP: Express through the Node
// form (`ui.node`, core's Node bridge), Hono through `ui.fetch`. The base path comes from the request.
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { createReceiver, memoryJournal, schemes } from "@hookgate/core";
import { dashboard } from "@hookgate/dashboard";
import { signedRequest } from "@hookgate/testing";
import express from "express";
import { Hono } from "hono";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const TOKEN = "mount-test-token-0123456789";
const scheme = schemes.stripe({ secret: "whsec_mount" });
const journal = memoryJournal();
const receiver = createReceiver({ scheme, journal });
let fixed = false;
receiver.on("invoice.payment_failed", async () => {
  if (!fixed) throw new Error("not yet");
});
const ui = dashboard({ journal, receiver, auth: { token: TOKEN } });
const servers: Server[] = [];

async function listen(server: Server): Promise<string> {
  servers.push(server);
  if (!server.listening) await new Promise((resolve) => server.once("listening", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  const signed = await signedRequest(scheme, "https://app.test/webhooks", {
    id: "evt_mount",
    type: "invoice.payment_failed",
    data: {},
  });
  expect((await receiver.fetch(signed)).status).toBe(500);
});
afterAll(async () => {
  for (const server of servers) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** Signs in with `?token=`, follows the redirect by hand, and returns the session cookie. */
async function signIn(base: string) {
  const exchanged = await fetch(`${base}/?token=${TOKEN}`, { redirect: "manual" });
  expect(exchanged.status).toBe(303);
  const location = new URL(exchanged.headers.get("location")!, base);
  expect(location.search).toBe("");
  return exchanged.headers.get("set-cookie")!.split(";")[0]!;
}

async function replayThrough(base: string, cookie: string) {
  const page = await (await fetch(`${base}/?status=failed`, { headers: { cookie } })).text();
  const key = /data-key="([^"]+)"/.exec(page)![1]!.replace(/&amp;/g, "&");
  const detail = await (
    await fetch(`${base}/delivery?key=${encodeURIComponent(key)}`, { headers: { cookie } })
  ).text();
  const csrf = /name="csrf" value="([^"]+)"/.exec(detail)![1]!;
  const origin = new URL(base).origin;
  return fetch(`${base}/replay`, {
    method: "POST",
    headers: { cookie, origin, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ csrf, mode: "dry-run", key }).toString(),
  });
}

describe("the dashboard mounted under a path", () => {
  it("Express: app.use('/ops/hookgate', ui.node) — pages, assets and a replay POST", async () => {
    const app = express();
    // A form parser that runs first: the dashboard re-encodes the form it left on req.body.
    app.use(express.urlencoded());
    app.use("/ops/hookgate", ui.node);
    const base = `${await listen(app.listen(0, "127.0.0.1"))}/ops/hookgate`;
    expect((await fetch(`${base}/`)).status).toBe(401);
    const slash = await fetch(base, { redirect: "manual" });
    expect(slash.status).toBe(308);
    expect(slash.headers.get("location")).toBe("/ops/hookgate/");
    const cookie = await signIn(base);
    const page = await fetch(`${base}/`, { headers: { cookie } });
    expect(page.status).toBe(200);
    const text = await page.text();
    expect(text).toContain('href="/ops/hookgate/assets/dashboard.css"');
    expect(text).toContain("evt_mount");
    expect((await fetch(`${base}/assets/dashboard.js`, { headers: { cookie } })).status).toBe(200);
    const dry = await replayThrough(base, cookie);
    expect(dry.status).toBe(200);
    expect(await dry.text()).toContain("s-verified");
  });

  it("Node form: a POST body over 64 KiB is refused 413 by core's body reader, not read on", async () => {
    const { createServer } = await import("node:http");
    const base = await listen(createServer((req, res) => ui.node(req, res)).listen(0, "127.0.0.1"));
    const cookie = await signIn(base);
    const answer = await fetch(`${base}/replay`, {
      method: "POST",
      headers: { cookie, origin: base, "content-type": "application/x-www-form-urlencoded" },
      body: `csrf=x&pad=${"a".repeat(70 * 1024)}`,
    });
    expect(answer.status).toBe(413);
    expect((await answer.json()).error.code).toBe("body_too_large");
  });

  it("Hono: app.all('/hookgate/*', (c) => ui.fetch(c.req.raw)) — and a confirmed replay runs", async () => {
    const app = new Hono();
    app.all("/hookgate", (c) => ui.fetch(c.req.raw));
    app.all("/hookgate/*", (c) => ui.fetch(c.req.raw));
    const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }) as Server;
    const base = `${await listen(server)}/hookgate`;
    expect((await fetch(`${base}/`)).status).toBe(401);
    const cookie = await signIn(base);
    const dry = await (await replayThrough(base, cookie)).text();
    const csrf = /name="csrf" value="([^"]+)"/.exec(dry)![1]!;
    const key = /name="key" value="([^"]+)"/.exec(dry)![1]!.replace(/&amp;/g, "&");
    fixed = true;
    const done = await fetch(`${base}/replay`, {
      method: "POST",
      headers: { cookie, origin: new URL(base).origin, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ csrf, mode: "confirm", key }).toString(),
    });
    expect(done.status).toBe(200);
    expect(await done.text()).toContain("Replayed 1 of 1");
    expect((await journal.get(key))?.status).toBe("handled");
  });
});
