/**
 * hookgate ↔ Meta webhooks (WhatsApp, Instagram, Messenger). Meta ships no signing SDK: the
 * sender here is the documented algorithm (`X-Hub-Signature-256: sha256=` + hex HMAC-SHA256 of
 * the body, keyed by the app secret) computed with node:crypto, the documented payload shapes,
 * and the GET verification request (`hub.mode`, `hub.verify_token`, `hub.challenge`).
 */
import { createHmac } from "node:crypto";
import { createReceiver, schemes, verify } from "@hookgate/core";
import { fixtures } from "@hookgate/testing";
import { describe, expect, it } from "vitest";
import {
  describeEachCryptoBackend,
  expectCryptoBackend,
  expectRejected,
  randomSecret,
  tamper,
} from "./helpers.js";

const url = "https://hooks.example.com/meta";
const metaSignature = (secret: string, body: string) =>
  `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
const post = (secret: string, body: string) =>
  new Request(url, {
    method: "POST",
    body,
    headers: { "content-type": "application/json", "x-hub-signature-256": metaSignature(secret, body) },
  });

/** A WhatsApp status change for a message id. */
const statusChange = (wamid: string, status: string) => ({
  field: "statuses",
  value: {
    messaging_product: "whatsapp",
    metadata: { display_phone_number: "15550001234", phone_number_id: "106540352242922" },
    statuses: [{ id: wamid, status, timestamp: "1700000000", recipient_id: "16505551234" }],
  },
});

describeEachCryptoBackend("Meta ↔ hookgate", (backend) => {
  const secret = randomSecret();
  const scheme = schemes.meta({ secret });
  const body = JSON.stringify(fixtures.meta.whatsappMessage());

  it(`runs hookgate on ${backend}`, async () => {
    await expectCryptoBackend(backend, () => scheme.sign({ rawBody: body }));
  });

  it("signs and verifies what Meta signs: sha256= and the hex HMAC of the body", async () => {
    const headers = await scheme.sign({ rawBody: body });
    expect(headers["x-hub-signature-256"]).toBe(metaSignature(secret, body));
    const delivery = await verify(scheme, {
      headers: { "x-hub-signature-256": metaSignature(secret, body) },
      rawBody: body,
    });
    expect(delivery).toMatchObject({ type: "whatsapp_business_account.messages", scheme: "meta" });
  });

  it("refuses a changed body, another app secret, and a missing signature", async () => {
    const headers = { "x-hub-signature-256": metaSignature(secret, body) };
    await expectRejected(verify(scheme, { headers, rawBody: tamper(body) }), "signature_mismatch");
    await expectRejected(
      verify(scheme, {
        headers: { "x-hub-signature-256": metaSignature(randomSecret(), body) },
        rawBody: body,
      }),
      "signature_mismatch",
    );
    await expectRejected(verify(scheme, { headers: {}, rawBody: body }), "missing_signature");
  });
});

describe("Meta batches", () => {
  it("one delivery per change, typed <object>.<field>, each handled once even when re-sent in another batch", async () => {
    const secret = randomSecret();
    const receiver = createReceiver({ scheme: schemes.meta({ secret }) });
    const seen: { type: string; id: string; field: unknown; entry: unknown }[] = [];
    receiver.onAny((event) => {
      const payload = event.payload as { field: unknown; entry: unknown };
      seen.push({ type: event.type, id: event.id, field: payload.field, entry: payload.entry });
    });
    const whatsapp = fixtures.meta.whatsappMessage();
    const wamid = whatsapp.entry[0]!.changes[0]!.value.messages[0]!.id;
    const messenger = fixtures.meta.messengerMessage();
    const batch = {
      object: "whatsapp_business_account",
      entry: [
        {
          id: "102290129340398",
          changes: [whatsapp.entry[0]!.changes[0]!, statusChange(wamid, "delivered")],
        },
        {
          id: "102290129340399",
          changes: [{ field: "account_update", value: { event: "VERIFIED_ACCOUNT" } }],
        },
      ],
    };
    const response = await receiver.fetch(post(secret, JSON.stringify(batch)));
    expect(response.status).toBe(200);
    expect(seen.map(({ type, id }) => ({ type, id }))).toEqual([
      { type: "whatsapp_business_account.messages", id: wamid },
      { type: "whatsapp_business_account.statuses", id: `${wamid}:delivered` },
      { type: "whatsapp_business_account.account_update", id: expect.stringMatching(/:2$/) },
    ]);
    expect(seen[2]!.entry).toEqual({ id: "102290129340399" });

    // Meta's retry of the same batch, and the same message re-sent inside another batch: handled already.
    await receiver.fetch(post(secret, JSON.stringify(batch)));
    const rebatched = {
      object: "whatsapp_business_account",
      entry: [whatsapp.entry[0]!, { id: "1", changes: [statusChange(wamid, "read")] }],
    };
    expect((await receiver.fetch(post(secret, JSON.stringify(rebatched)))).status).toBe(200);
    expect(seen.map((s) => s.id)).toEqual([
      wamid,
      `${wamid}:delivered`,
      expect.stringMatching(/:2$/),
      `${wamid}:read`,
    ]);

    // Messenger's entry[].messaging[] events, typed by their kind.
    await receiver.fetch(post(secret, JSON.stringify(messenger)));
    expect(seen.at(-1)).toMatchObject({
      type: "page.message",
      id: messenger.entry[0]!.messaging[0]!.message.mid,
      field: "message",
    });
  });
});

describe("Meta's GET verification request", () => {
  const verifyToken = "meatyhamhock";
  const receiver = createReceiver({ scheme: schemes.meta({ secret: randomSecret(), verifyToken }) });
  const get = (query: string, target = receiver) =>
    target.fetch(new Request(`${url}?${query}`, { method: "GET" }));

  it("echoes hub.challenge as text when hub.verify_token is the configured one", async () => {
    const response = await get(`hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=${verifyToken}`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/plain/);
    expect(await response.text()).toBe("1158201444");
  });

  it("refuses another token, a missing one, and any challenge when no verifyToken is configured (403)", async () => {
    for (const query of [
      "hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=meatyhamhocks",
      "hub.mode=subscribe&hub.challenge=1158201444",
      `hub.mode=subscribe&hub.verify_token=${verifyToken}`,
    ]) {
      const response = await get(query);
      expect(response.status, query).toBe(403);
      expect(await response.text()).not.toContain("1158201444");
    }
    const unconfigured = createReceiver({ scheme: schemes.meta({ secret: randomSecret() }) });
    const response = await get(
      `hub.mode=subscribe&hub.challenge=1&hub.verify_token=${verifyToken}`,
      unconfigured,
    );
    expect(response.status).toBe(403);
    expect(await response.text()).toContain("verifyToken");
  });

  it("a GET that is not hub.mode=subscribe is no handshake", async () => {
    expect((await get("hub.challenge=1")).status).not.toBe(200);
  });
});
