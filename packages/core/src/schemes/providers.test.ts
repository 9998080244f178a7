import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { forceWebCrypto, generateEcdsaP256 } from "../internal/crypto.js";
import type { Scheme, SignInput } from "../types.js";
import { verify } from "../verify.js";
import { schemes } from "./index.js";

const NOW = new Date("2026-03-01T12:00:00Z");
const json = (value: unknown) => JSON.stringify(value);
const sendgridKeys = await generateEcdsaP256();
const otherSendgridKeys = await generateEcdsaP256();

interface Case {
  name: keyof typeof schemes;
  make: (secret: string) => Scheme;
  body: string;
  sign?: Partial<SignInput>;
  url?: string;
  timestamped: boolean;
  id: string | RegExp;
  type: string;
}

const secretScheme =
  <K extends keyof typeof schemes>(name: K) =>
  (secret: string) =>
    (schemes[name] as (o: { secret: string }) => Scheme)({ secret });

const cases: Case[] = [
  {
    name: "sendgrid",
    make: (s) =>
      s === "right"
        ? schemes.sendgrid({ publicKey: sendgridKeys.publicKey, privateKey: sendgridKeys.privateKey })
        : schemes.sendgrid({ publicKey: otherSendgridKeys.publicKey }),
    body: json([{ email: "a@example.com", event: "delivered", sg_event_id: "sg1", timestamp: 1 }]),
    timestamped: true,
    id: /^[0-9a-f]+$/,
    type: "delivered",
  },
  {
    name: "square",
    make: secretScheme("square"),
    body: json({ event_id: "ev1", type: "payment.updated", data: {} }),
    url: "https://example.com/square",
    timestamped: false,
    id: "ev1",
    type: "payment.updated",
  },
  {
    name: "hubspot",
    make: secretScheme("hubspot"),
    body: json([{ eventId: 1, subscriptionId: 2, subscriptionType: "contact.creation" }]),
    url: "https://example.com/hubspot?x=1",
    timestamped: true,
    id: /^[0-9a-f]{64}$/,
    type: "contact.creation",
  },
  {
    name: "mux",
    make: secretScheme("mux"),
    body: json({ id: "m1", type: "video.asset.ready" }),
    timestamped: true,
    id: "m1",
    type: "video.asset.ready",
  },
  {
    name: "workos",
    make: secretScheme("workos"),
    body: json({ id: "event_01", event: "user.created", data: {} }),
    timestamped: true,
    id: "event_01",
    type: "user.created",
  },
  {
    name: "line",
    make: secretScheme("line"),
    body: json({ destination: "U1", events: [{ type: "message", webhookEventId: "01H" }] }),
    timestamped: false,
    id: /^[0-9a-f]{64}$/,
    type: "message",
  },
  {
    name: "coinbase",
    make: secretScheme("coinbase"),
    body: json({ id: 1, event: { id: "cb1", type: "charge:confirmed" } }),
    timestamped: false,
    id: "cb1",
    type: "charge:confirmed",
  },
  {
    name: "twitch",
    make: secretScheme("twitch"),
    body: json({ subscription: { type: "channel.follow" }, event: { user_id: "1" } }),
    sign: { id: "tw1" },
    timestamped: true,
    id: "tw1",
    type: "channel.follow",
  },
  {
    name: "resend",
    make: (s) => schemes.resend({ secret: `whsec_${Buffer.from(s.padEnd(24, "!")).toString("base64")}` }),
    body: json({ type: "email.delivered", data: {} }),
    sign: { id: "msg_r1" },
    timestamped: true,
    id: "msg_r1",
    type: "email.delivered",
  },
  {
    name: "clerk",
    make: (s) => schemes.clerk({ secret: `whsec_${Buffer.from(s.padEnd(24, "!")).toString("base64")}` }),
    body: json({ type: "user.created", data: {} }),
    sign: { id: "msg_c1" },
    timestamped: true,
    id: "msg_c1",
    type: "user.created",
  },
  {
    name: "polar",
    make: (s) => schemes.polar({ secret: `polar_whs_${s}` }),
    body: json({ type: "order.paid", data: {} }),
    sign: { id: "msg_p1" },
    timestamped: true,
    id: "msg_p1",
    type: "order.paid",
  },
  {
    name: "zoom",
    make: secretScheme("zoom"),
    body: json({ event: "meeting.started", payload: {}, event_ts: 1 }),
    timestamped: true,
    id: /^[0-9a-f]{64}$/,
    type: "meeting.started",
  },
  {
    name: "lemonSqueezy",
    make: secretScheme("lemonSqueezy"),
    body: json({ meta: { event_name: "order_created" }, data: {} }),
    timestamped: false,
    id: /^[0-9a-f]{64}$/,
    type: "order_created",
  },
  {
    name: "telegram",
    make: secretScheme("telegram"),
    body: json({ update_id: 10, message: { text: "hi" } }),
    timestamped: false,
    id: "10",
    type: "message",
  },
  {
    name: "gitlab",
    make: secretScheme("gitlab"),
    body: json({ object_kind: "merge_request", object_attributes: { action: "open" } }),
    sign: { id: "gl-1" },
    timestamped: false,
    id: "gl-1",
    type: "merge_request.open",
  },
  {
    name: "bitbucket",
    make: secretScheme("bitbucket"),
    body: json({ push: {} }),
    sign: { id: "bb-1", type: "repo:push" },
    timestamped: false,
    id: "bb-1",
    type: "repo:push",
  },
  {
    name: "intercom",
    make: secretScheme("intercom"),
    body: json({ id: "notif_1", topic: "conversation.user.created", type: "notification_event" }),
    timestamped: false,
    id: "notif_1",
    type: "conversation.user.created",
  },
  {
    name: "typeform",
    make: secretScheme("typeform"),
    body: json({ event_id: "tf1", event_type: "form_response" }),
    timestamped: false,
    id: "tf1",
    type: "form_response",
  },
  {
    name: "calendly",
    make: secretScheme("calendly"),
    body: json({ event: "invitee.created", payload: {} }),
    timestamped: true,
    id: /^[0-9a-f]{64}$/,
    type: "invitee.created",
  },
  {
    name: "sentry",
    make: secretScheme("sentry"),
    body: json({ action: "created", data: {} }),
    sign: { id: "req-1", type: "issue" },
    timestamped: false,
    id: "req-1",
    type: "issue.created",
  },
  {
    name: "vercel",
    make: secretScheme("vercel"),
    body: json({ id: "v1", type: "deployment.succeeded" }),
    timestamped: false,
    id: "v1",
    type: "deployment.succeeded",
  },
  {
    name: "notion",
    make: secretScheme("notion"),
    body: json({ id: "n1", type: "page.created" }),
    timestamped: false,
    id: "n1",
    type: "page.created",
  },
  {
    name: "dropbox",
    make: secretScheme("dropbox"),
    body: json({ list_folder: { accounts: ["dbid:1"] } }),
    timestamped: false,
    id: /^[0-9a-f]{64}$/,
    type: "list_folder",
  },
  {
    name: "box",
    make: (s) => schemes.box({ secret: [s, `${s}-secondary`] }),
    body: json({ type: "webhook_event", trigger: "FILE.UPLOADED" }),
    sign: { id: "box-1" },
    timestamped: true,
    id: "box-1",
    type: "FILE.UPLOADED",
  },
  {
    name: "zendesk",
    make: secretScheme("zendesk"),
    body: json({ id: "zd-1", type: "zen:event-type:ticket.created" }),
    sign: { id: "inv-1" },
    timestamped: true,
    id: "inv-1",
    type: "zen:event-type:ticket.created",
  },
  {
    name: "asana",
    make: secretScheme("asana"),
    body: json({ events: [{ action: "changed" }] }),
    timestamped: false,
    id: /^[0-9a-f]{64}$/,
    type: "events",
  },
  {
    name: "calCom",
    make: secretScheme("calCom"),
    body: json({ triggerEvent: "BOOKING_CREATED", payload: {} }),
    timestamped: false,
    id: /^[0-9a-f]{64}$/,
    type: "BOOKING_CREATED",
  },
  {
    name: "trello",
    make: secretScheme("trello"),
    body: json({ action: { id: "a1", type: "updateCard" }, model: {} }),
    url: "https://example.com/trello",
    timestamped: false,
    id: "a1",
    type: "updateCard",
  },
];

async function signed(c: Case, at = NOW, scheme = c.make("right")) {
  const headers = await scheme.sign!({ rawBody: c.body, timestamp: at, url: c.url, ...c.sign });
  return { headers, rawBody: c.body, url: c.url };
}

const expectCode = (promise: Promise<unknown>, code: string, status: number) =>
  expect(promise).rejects.toMatchObject({ name: "WebhookError", code, status });

const SIGNATURE = /signature|hmac|token|x-trello-webhook/;
const TOKEN_SCHEMES = new Set(["telegram", "gitlab"]);

describe.each([
  ["node:crypto", false],
  ["Web Crypto", true],
])("provider schemes with %s", (_backend, web) => {
  beforeAll(() => forceWebCrypto(web));
  afterAll(() => forceWebCrypto(false));

  describe.each(cases)("$name", (c) => {
    it("is named the kebab-case of its key", () => {
      expect(c.make("right").name).toBe(c.name.replace(/[A-Z]/g, (ch) => `-${ch.toLowerCase()}`));
    });

    it("names the signature headers it sends in its facts", async () => {
      const { headers } = await signed(c);
      const names = c.make("right").facts.signatureHeaders;
      expect(names.length).toBeGreaterThan(0);
      for (const name of names) expect(headers[name]).toEqual(expect.any(String));
    });

    it("verifies what it signs, with id, type and timestamp", async () => {
      const delivery = await verify(c.make("right"), await signed(c), { now: NOW });
      expect(delivery.type).toBe(c.type);
      if (typeof c.id === "string") expect(delivery.id).toBe(c.id);
      else expect(delivery.id).toMatch(c.id);
      expect(delivery.matchedSecret).toEqual({ index: 0 });
      if (c.timestamped) expect(delivery.timestamp).toEqual(NOW);
    });

    it("rejects a tampered body, a wrong secret and a missing signature", async () => {
      const input = await signed(c);
      const tampered = { ...input, rawBody: c.body.replace(/}$/, ',"x":1}').replace(/]$/, ",1]") };
      if (TOKEN_SCHEMES.has(c.name)) {
        // A token scheme does not sign the body (the docs say so): only the token is checked.
        await expect(verify(c.make("right"), tampered, { now: NOW })).resolves.toBeDefined();
      } else {
        await expectCode(verify(c.make("right"), tampered, { now: NOW }), "signature_mismatch", 401);
      }
      await expectCode(verify(c.make("wrong"), input, { now: NOW }), "signature_mismatch", 401);
      const headers = Object.fromEntries(Object.entries(input.headers).filter(([k]) => !SIGNATURE.test(k)));
      expect(Object.keys(headers).length).toBeLessThan(Object.keys(input.headers).length);
      await expectCode(
        verify(c.make("right"), { ...input, headers }, { now: NOW }),
        "missing_signature",
        400,
      );
    });

    if (c.timestamped) {
      it("rejects a stale timestamp", async () => {
        const old = await signed(c, new Date(NOW.getTime() - 301_000));
        await expectCode(verify(c.make("right"), old, { now: NOW }), "timestamp_too_old", 401);
      });
    }
  });
});
