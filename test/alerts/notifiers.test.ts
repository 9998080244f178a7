// The built-in notifiers against a real local HTTP sink: what each sends, and that a failing or
// hanging endpoint never changes a receiver's answer.
import { once } from "node:events";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import {
  type Alert,
  createReceiver,
  discordNotifier,
  schemes,
  slackNotifier,
  webhookNotifier,
} from "@hookgate/core";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";

interface Received {
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

let server: Server;
let base: string;
const received: Received[] = [];
/** How the sink answers the next requests: a status, or "hang". */
let mode: number | "hang" = 204;
let arrived: () => void = () => {};

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      received.push({ url: req.url!, headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
      arrived();
      if (mode === "hang") return;
      res.writeHead(mode).end();
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});
beforeEach(() => {
  received.length = 0;
  mode = 204;
});

const alert: Alert = {
  kind: "dead_letter",
  scheme: "stripe",
  message: "hookgate: stripe delivery evt_1 was given up on (handler_failed); replay it once fixed",
  at: new Date("2026-12-04T12:00:00Z"),
  deliveryId: "evt_1",
  count: 1,
};

describe("built-in notifiers over HTTP", () => {
  it("webhookNotifier posts the alert as JSON", async () => {
    await webhookNotifier(`${base}/alerts`, { headers: { authorization: "Bearer ops" } })(alert);
    expect(received).toHaveLength(1);
    expect(received[0]!.url).toBe("/alerts");
    expect(received[0]!.headers["content-type"]).toBe("application/json");
    expect(received[0]!.headers.authorization).toBe("Bearer ops");
    expect(JSON.parse(received[0]!.body)).toEqual({ ...alert, at: "2026-12-04T12:00:00.000Z" });
  });

  it("webhookNotifier with a secret signs as Standard Webhooks, and hookgate verifies it", async () => {
    const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    await webhookNotifier(`${base}/alerts`, { secret })(alert);
    const [sent] = received;
    expect(sent!.headers["webhook-signature"]).toMatch(/^v1,/);
    const verifier = createReceiver({ scheme: schemes.standardWebhooks({ secret }) });
    const kinds: string[] = [];
    verifier.onAny((event) => void kinds.push((event.payload as Alert).kind));
    const headers = Object.fromEntries(Object.entries(sent!.headers).map(([k, v]) => [k, String(v)]));
    const answer = await verifier.handle({
      method: "POST",
      url: `${base}/alerts`,
      headers,
      rawBody: sent!.body,
    });
    expect(answer.status).toBe(200);
    expect(kinds).toEqual(["dead_letter"]);
    // Signed with another secret, it does not verify.
    const other = createReceiver({
      scheme: schemes.standardWebhooks({ secret: "whsec_b3RoZXJvdGhlcm90aGVyb3RoZXI=" }),
    });
    expect((await other.handle({ method: "POST", headers, rawBody: sent!.body })).status).toBe(401);
  });

  it("slackNotifier posts { text } as a Slack incoming webhook expects", async () => {
    await slackNotifier(`${base}/services/T0/B0/x`)(alert);
    const body = JSON.parse(received[0]!.body);
    expect(Object.keys(body)).toEqual(["text"]);
    expect(body.text).toContain("[dead_letter]");
    expect(body.text).toContain("evt_1");
  });

  it("discordNotifier posts { content } with no mentions, under Discord's 2,000 characters", async () => {
    await discordNotifier(`${base}/api/webhooks/1/x`)({ ...alert, message: `@everyone ${"x".repeat(3000)}` });
    const body = JSON.parse(received[0]!.body);
    expect(body.content.length).toBe(2000);
    expect(body.allowed_mentions).toEqual({ parse: [] });
  });

  it("a non-2xx answer rejects, and so does an endpoint that hangs past timeoutMs", async () => {
    mode = 500;
    await expect(slackNotifier(`${base}/x`)(alert)).rejects.toThrow(/answered 500/);
    mode = "hang";
    await expect(webhookNotifier(`${base}/x`, { timeoutMs: 200 })(alert)).rejects.toThrow();
  });

  it("refuses a URL that is not http(s)", () => {
    expect(() => slackNotifier("file:///etc/passwd")).toThrow(/http\(s\) URL/);
    expect(() => webhookNotifier("not a url")).toThrow(/http\(s\) URL/);
  });
});

describe("a receiver alerting through a real endpoint", () => {
  it("25 bad signatures in a minute reach the sink as one alert; a hanging sink never delays an answer", async () => {
    mode = "hang";
    const scheme = schemes.stripe({ secret: "whsec_sink_tests" });
    const forged = schemes.stripe({ secret: "whsec_not_it" });
    const first = new Promise<void>((resolve) => (arrived = resolve));
    const receiver = createReceiver({
      scheme,
      alerts: {
        notify: slackNotifier(`${base}/slack`, { timeoutMs: 60_000 }),
        signatureFailures: { threshold: 10 },
      },
    });
    for (let i = 0; i < 25; i++) {
      const rawBody = JSON.stringify({ id: `evt_${i}`, type: "invoice.paid" });
      const answer = await receiver.handle({
        method: "POST",
        headers: await forged.sign({ rawBody }),
        rawBody,
      });
      expect(answer.status).toBe(401);
    }
    await first;
    expect(received).toHaveLength(1);
    expect(JSON.parse(received[0]!.body).text).toContain("[signature_failures]");
    server.closeAllConnections();
  });
});
