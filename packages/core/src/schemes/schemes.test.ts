import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebhookError } from "../errors.js";
import { toHex } from "../internal/bytes.js";
import { forceWebCrypto, generateEd25519 } from "../internal/crypto.js";
import type { Scheme, SignInput } from "../types.js";
import { verify } from "../verify.js";
import { schemes } from "./index.js";

const NOW = new Date("2026-03-01T12:00:00Z");
const discordKeys = await generateEd25519();
const otherDiscordKeys = await generateEd25519();

interface Case {
  name: string;
  make: (secret: "right" | "wrong") => Scheme;
  body: string;
  sign?: Partial<SignInput>;
  url?: string;
  /** Whether the scheme signs a timestamp (freshness applies). */
  timestamped: boolean;
  /** A header whose value is covered by the signature, and a tampered value for it. */
  tamperHeader?: (headers: Record<string, string>) => void;
  id: string;
  type: string;
}

const json = (value: unknown) => JSON.stringify(value);

const cases: Case[] = [
  {
    name: "standardWebhooks",
    make: (s) =>
      schemes.standardWebhooks({
        secret:
          s === "right"
            ? "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
            : "whsec_dGhpcyBpcyBub3QgdGhlIHJpZ2h0IGtleQ==",
      }),
    body: json({ type: "invoice.paid", data: { id: "inv_1" } }),
    sign: { id: "msg_1" },
    timestamped: true,
    tamperHeader: (h) => (h["webhook-id"] = "msg_2"),
    id: "msg_1",
    type: "invoice.paid",
  },
  {
    name: "stripe",
    make: (s) => schemes.stripe({ secret: s === "right" ? "whsec_test_right" : "whsec_test_wrong" }),
    body: json({ id: "evt_1", object: "event", type: "invoice.paid" }),
    timestamped: true,
    tamperHeader: (h) =>
      (h["stripe-signature"] = h["stripe-signature"]!.replace(/t=(\d+)/, (_, t) => `t=${Number(t) + 1}`)),
    id: "evt_1",
    type: "invoice.paid",
  },
  {
    name: "github",
    make: (s) => schemes.github({ secret: s === "right" ? "gh-secret" : "gh-other" }),
    body: json({ action: "opened", issue: { number: 1 } }),
    sign: { id: "d1", type: "issues" },
    timestamped: false,
    id: "d1",
    type: "issues.opened",
  },
  {
    name: "shopify",
    make: (s) => schemes.shopify({ secret: s === "right" ? "shpss_right" : "shpss_wrong" }),
    body: json({ id: 820982911946154500, email: "jon@example.com" }),
    sign: { id: "evt-shop-1", type: "orders/create" },
    timestamped: false,
    id: "evt-shop-1",
    type: "orders/create",
  },
  {
    name: "slack",
    make: (s) => schemes.slack({ secret: s === "right" ? "8f742231b10e8888abcd99yyyzzz85a5" : "0000" }),
    body: json({ type: "event_callback", event_id: "Ev1", event: { type: "app_mention", text: "hi" } }),
    timestamped: true,
    tamperHeader: (h) =>
      (h["x-slack-request-timestamp"] = String(Number(h["x-slack-request-timestamp"]) - 1)),
    id: "Ev1",
    type: "app_mention",
  },
  {
    name: "twilio",
    make: (s) => schemes.twilio({ secret: s === "right" ? "auth-token-right" : "auth-token-wrong" }),
    body: "MessageSid=SM1&SmsStatus=received&Body=Hello+%C3%A9t%C3%A9&From=%2B14155550100",
    url: "https://example.com/twilio/sms?tenant=1",
    sign: { id: "idem-1" },
    timestamped: false,
    id: "idem-1",
    type: "message.received",
  },
  {
    name: "paddle",
    make: (s) => schemes.paddle({ secret: s === "right" ? "pdl_ntfset_right" : "pdl_ntfset_wrong" }),
    body: json({ event_id: "evt_01", event_type: "transaction.completed", data: {} }),
    timestamped: true,
    tamperHeader: (h) =>
      (h["paddle-signature"] = h["paddle-signature"]!.replace(/ts=(\d+)/, (_, t) => `ts=${Number(t) + 1}`)),
    id: "evt_01",
    type: "transaction.completed",
  },
  {
    name: "linear",
    make: (s) => schemes.linear({ secret: s === "right" ? "lin_wh_right" : "lin_wh_wrong" }),
    body: json({ action: "create", type: "Issue", data: { id: "i1" }, webhookTimestamp: NOW.getTime() }),
    sign: { id: "lin-d1" },
    timestamped: false, // the timestamp is in the (signed) payload; tested separately below
    id: "lin-d1",
    type: "Issue.create",
  },
  {
    name: "discord",
    make: (s) =>
      s === "right"
        ? schemes.discord({ publicKey: toHex(discordKeys.publicKey), privateKey: toHex(discordKeys.seed) })
        : schemes.discord({ publicKey: toHex(otherDiscordKeys.publicKey) }),
    body: json({ id: "int_1", type: 2, data: { name: "ping" } }),
    timestamped: true,
    tamperHeader: (h) => (h["x-signature-timestamp"] = String(Number(h["x-signature-timestamp"]) + 1)),
    id: "int_1",
    type: "application_command",
  },
  {
    name: "hmac",
    make: (s) =>
      schemes.hmac({
        secret: s === "right" ? "partner-secret" : "not-it",
        header: "X-Acme-Signature",
        prefix: "sha512=",
        algorithm: "sha512",
        encoding: "base64",
        timestampHeader: "X-Acme-Timestamp",
        id: "X-Acme-Delivery",
      }),
    body: json({ type: "shipment.created" }),
    sign: { id: "acme-1" },
    timestamped: true,
    tamperHeader: (h) => (h["x-acme-delivery"] = "acme-2"),
    id: "acme-1",
    type: "shipment.created",
  },
];

// The Standard Webhooks delivery id is signed; hmac's id header is not part of its content.
const hmacCase = cases.find((c) => c.name === "hmac")!;
delete hmacCase.tamperHeader;

async function signed(c: Case, at = NOW, scheme = c.make("right")) {
  const headers = await scheme.sign!({ rawBody: c.body, timestamp: at, url: c.url, ...c.sign });
  return { headers, rawBody: c.body, url: c.url };
}

const expectCode = (promise: Promise<unknown>, code: string, status: number) =>
  expect(promise).rejects.toMatchObject({ name: "WebhookError", code, status });

describe.each([
  ["node:crypto", false],
  ["Web Crypto", true],
])("schemes with %s", (_backend, web) => {
  beforeAll(() => forceWebCrypto(web));
  afterAll(() => forceWebCrypto(false));

  describe.each(cases)("$name", (c) => {
    it("verifies what it signs, with id, type and the matching secret", async () => {
      const delivery = await verify(c.make("right"), await signed(c), { now: NOW });
      expect(delivery).toMatchObject({
        id: c.id,
        type: c.type,
        scheme: c.make("right").name,
        matchedSecret: { index: 0 },
      });
      expect(new TextDecoder().decode(delivery.rawBody)).toBe(c.body);
      if (c.timestamped) expect(delivery.timestamp?.getTime()).toBe(Math.floor(NOW.getTime() / 1000) * 1000);
    });

    it("rejects a tampered body", async () => {
      const input = await signed(c);
      await expectCode(
        verify(c.make("right"), { ...input, rawBody: `${c.body} ` }, { now: NOW }),
        "signature_mismatch",
        401,
      );
    });

    it("rejects a wrong secret", async () => {
      await expectCode(verify(c.make("wrong"), await signed(c), { now: NOW }), "signature_mismatch", 401);
    });

    it("rejects a request without its signature header", async () => {
      const input = await signed(c);
      const headers = Object.fromEntries(
        Object.entries(input.headers).filter(([k]) => !/signature|hmac|^x-hub/.test(k)),
      );
      await expectCode(
        verify(c.make("right"), { ...input, headers }, { now: NOW }),
        "missing_signature",
        400,
      );
    });

    it("rejects a signature with one character changed", async () => {
      const input = await signed(c);
      const [name, value] = Object.entries(input.headers).find(([k]) => /signature|hmac/.test(k))!;
      // Change one digit well inside the (last) signature, keeping the alphabet and length valid.
      const at = value.length - 10;
      const flipped = value.slice(0, at) + (value[at] === "a" ? "b" : "a") + value.slice(at + 1);
      expect(flipped).not.toBe(value);
      await expectCode(
        verify(c.make("right"), { ...input, headers: { ...input.headers, [name]: flipped } }, { now: NOW }),
        "signature_mismatch",
        401,
      );
    });

    if (c.tamperHeader) {
      it("rejects a tampered signed header", async () => {
        const input = await signed(c);
        c.tamperHeader!(input.headers);
        await expectCode(verify(c.make("right"), input, { now: NOW }), "signature_mismatch", 401);
      });
    }

    if (c.timestamped) {
      it("rejects an old timestamp and a future one, beyond the tolerance only", async () => {
        const scheme = c.make("right");
        const old = await signed(c, new Date(NOW.getTime() - 301_000), scheme);
        await expectCode(verify(scheme, old, { now: NOW }), "timestamp_too_old", 401);
        const future = await signed(c, new Date(NOW.getTime() + 301_000), scheme);
        await expectCode(verify(scheme, future, { now: NOW }), "timestamp_in_future", 401);
        await expect(verify(scheme, old, { now: NOW, tolerance: 302 })).resolves.toMatchObject({ id: c.id });
        await expect(verify(scheme, future, { now: NOW, tolerance: 302 })).resolves.toMatchObject({
          id: c.id,
        });
      });
    } else {
      it("has no timestamp, so an old signature still verifies (replays are stopped by id dedupe)", async () => {
        const input = await signed(c, new Date(NOW.getTime() - 86_400_000));
        await expect(verify(c.make("right"), input, { now: NOW })).resolves.toMatchObject({ id: c.id });
      });
    }
  });
});

describe("Linear's payload timestamp", () => {
  const scheme = schemes.linear({ secret: "lin_wh_right" });
  const body = (ts: number) => json({ action: "update", type: "Issue", webhookTimestamp: ts });

  it("is checked against the tolerance once the signature vouches for it", async () => {
    for (const [offset, code] of [
      [-301_000, "timestamp_too_old"],
      [301_000, "timestamp_in_future"],
    ] as const) {
      const rawBody = body(NOW.getTime() + offset);
      const headers = await scheme.sign({ rawBody });
      await expectCode(verify(scheme, { headers, rawBody }, { now: NOW }), code, 401);
    }
  });

  it("is required", async () => {
    const rawBody = json({ action: "update", type: "Issue" });
    await expectCode(
      verify(scheme, { headers: await scheme.sign({ rawBody }), rawBody }, { now: NOW }),
      "missing_header",
      400,
    );
  });
});

describe("handshakes", () => {
  it("Slack url_verification is typed and answered with its challenge", async () => {
    const scheme = schemes.slack({ secret: "s" });
    const rawBody = json({
      type: "url_verification",
      challenge: "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
      token: "x",
    });
    const delivery = await verify(scheme, { headers: await scheme.sign({ rawBody }), rawBody });
    expect(scheme.handshake?.(delivery)).toEqual({
      body: { challenge: "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" },
    });
  });

  it("Discord PING is answered with type 1", async () => {
    const scheme = schemes.discord({
      publicKey: toHex(discordKeys.publicKey),
      privateKey: toHex(discordKeys.seed),
    });
    const rawBody = json({ id: "p1", type: 1 });
    const delivery = await verify(scheme, { headers: await scheme.sign({ rawBody }), rawBody });
    expect(delivery.type).toBe("ping");
    expect(scheme.handshake?.(delivery)).toEqual({ body: { type: 1 } });
  });

  it("an ordinary delivery is no handshake", async () => {
    const scheme = schemes.slack({ secret: "s" });
    const rawBody = json({ type: "event_callback", event_id: "E", event: { type: "message" } });
    const delivery = await verify(scheme, { headers: await scheme.sign({ rawBody }), rawBody });
    expect(scheme.handshake?.(delivery)).toBeUndefined();
  });
});

describe("provider specifics", () => {
  it("Slack interactivity forms carry their JSON in `payload`", async () => {
    const scheme = schemes.slack({ secret: "s" });
    const rawBody = `payload=${encodeURIComponent(json({ type: "block_actions", trigger_id: "13345224609.738474920.8088930838d88f008e0" }))}`;
    const delivery = await verify(scheme, { headers: await scheme.sign({ rawBody }), rawBody });
    expect(delivery).toMatchObject({
      type: "block_actions",
      id: "13345224609.738474920.8088930838d88f008e0",
    });
  });

  it("Slack slash commands are typed slash_command with their form fields", async () => {
    const scheme = schemes.slack({ secret: "s" });
    const rawBody = "command=%2Fdeploy&text=prod&trigger_id=t1";
    const delivery = await verify(scheme, { headers: await scheme.sign({ rawBody }), rawBody });
    expect(delivery).toMatchObject({ type: "slash_command", payload: { command: "/deploy", text: "prod" } });
  });

  it("GitHub legacy SHA-1 is refused unless opted in", async () => {
    const legacy = schemes.github({ secret: "s", allowSha1: true });
    const rawBody = json({ zen: "Design for failure." });
    const headers = await legacy.sign({ rawBody, id: "d", type: "ping" });
    const sha1Only = { ...headers };
    delete sha1Only["x-hub-signature-256"];
    await expect(verify(legacy, { headers: sha1Only, rawBody })).resolves.toMatchObject({ type: "ping" });
    await expectCode(
      verify(schemes.github({ secret: "s" }), { headers: sha1Only, rawBody }),
      "missing_signature",
      400,
    );
    // SHA-1 is a fallback only: next to a SHA-256 header, only the SHA-256 one counts.
    const wrong256 = { ...headers, "x-hub-signature-256": `sha256=${"0".repeat(64)}` };
    await expectCode(verify(legacy, { headers: wrong256, rawBody }), "signature_mismatch", 401);
  });

  it("Discord given only a private key verifies with its public half", async () => {
    const signer = schemes.discord({ privateKey: toHex(discordKeys.seed) });
    const rawBody = json({ id: "i1", type: 2 });
    const headers = await signer.sign({ rawBody });
    await expect(verify(signer, { headers, rawBody })).resolves.toMatchObject({
      type: "application_command",
    });
    const verifier = schemes.discord({ publicKey: toHex(discordKeys.publicKey) });
    await expect(verify(verifier, { headers, rawBody })).resolves.toMatchObject({ id: "i1" });
    const other = schemes.discord({ privateKey: toHex(otherDiscordKeys.seed) });
    await expectCode(verify(other, { headers, rawBody }), "signature_mismatch", 401);
  });

  it("Twilio needs the public URL, and binds the signature to it", async () => {
    const scheme = schemes.twilio({ secret: "t" });
    const rawBody = "CallSid=CA1&CallStatus=completed";
    const headers = await scheme.sign({ rawBody, url: "https://example.com/voice" });
    await expectCode(verify(scheme, { headers, rawBody }), "url_required", 500);
    await expectCode(
      verify(scheme, { headers, rawBody, url: "https://evil.example/voice" }),
      "signature_mismatch",
      401,
    );
    await expect(
      verify(scheme, { headers, rawBody, url: "https://example.com:443/voice" }),
    ).resolves.toMatchObject({
      type: "call.completed",
    });
  });

  it("Twilio JSON bodies are bound through bodySHA256", async () => {
    const scheme = schemes.twilio({ secret: "t" });
    const rawBody = json({ type: "com.twilio.messaging.message.delivered" });
    const { createHash } = await import("node:crypto");
    const url = `https://example.com/events?bodySHA256=${createHash("sha256").update(rawBody).digest("hex")}`;
    const headers = await scheme.sign({ rawBody, url });
    expect(headers["content-type"]).toBe("application/json");
    await expect(verify(scheme, { headers, rawBody, url })).resolves.toMatchObject({
      type: "com.twilio.messaging.message.delivered",
    });
    await expectCode(verify(scheme, { headers, rawBody: `${rawBody} `, url }), "signature_mismatch", 401);
    await expectCode(scheme.sign({ rawBody, url: "https://example.com/events" }), "url_required", 500);
  });

  it("Standard Webhooks Ed25519 (v1a): a whsk_ key signs, its whpk_ public key verifies", async () => {
    const { seed, publicKey } = await generateEd25519();
    const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64");
    const signer = schemes.standardWebhooks({ secret: `whsk_${b64(seed)}` });
    const verifier = schemes.standardWebhooks({
      secret: [`whsec_${b64(new Uint8Array(32).fill(7))}`, `whpk_${b64(publicKey)}`],
    });
    const rawBody = json({ type: "contact.created" });
    const headers = await signer.sign({ rawBody, id: "msg_a" });
    expect(headers["webhook-signature"]).toMatch(/^v1a,[A-Za-z0-9+/]{86}==$/);
    await expect(verify(verifier, { headers, rawBody })).resolves.toMatchObject({
      matchedSecret: { index: 1 },
    });
    await expectCode(verify(verifier, { headers, rawBody: `${rawBody}\n` }), "signature_mismatch", 401);
    await expectCode(
      schemes.standardWebhooks({ secret: `whpk_${b64(publicKey)}` }).sign({ rawBody }),
      "invalid_secret",
      500,
    );
  });

  it("rejects with a WebhookError instance", async () => {
    const scheme = schemes.github({ secret: "s" });
    await expect(verify(scheme, { headers: {}, rawBody: "{}" })).rejects.toBeInstanceOf(WebhookError);
  });
});
