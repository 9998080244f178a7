/**
 * Providers without an SDK in this suite: their published test vectors, copied byte-exactly.
 * hookgate must verify each one and, where its sign can be given the same inputs, reproduce it.
 */
import { schemes, verify } from "@hookgate/core";
import { describe, expect, it } from "vitest";
import {
  at,
  DEFAULT_TOLERANCE,
  describeEachCryptoBackend,
  expectCryptoBackend,
  expectRejected,
} from "./helpers.js";

describeEachCryptoBackend("published vectors", (backend) => {
  it(`runs hookgate on ${backend}`, async () => {
    const scheme = schemes.slack({ secret: "8f742231b10e8888abcd99yyyzzz85a5" });
    await expectCryptoBackend(backend, () => scheme.sign({ rawBody: "{}" }));
  });

  describe("Slack: “Verifying requests from Slack” example", () => {
    const signingSecret = "8f742231b10e8888abcd99yyyzzz85a5";
    const timestamp = 1531420618;
    const body =
      "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
    const signature = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";
    const headers = {
      "content-type": "application/x-www-form-urlencoded",
      "x-slack-request-timestamp": String(timestamp),
      "x-slack-signature": signature,
    };
    const scheme = schemes.slack({ secret: signingSecret });
    const near = at(timestamp + 30);

    it("the body is the doc's 362 bytes", () => {
      expect(Buffer.byteLength(body)).toBe(362);
    });

    it("hookgate verifies it as a slash command keyed by trigger_id", async () => {
      const delivery = await verify(scheme, { headers, rawBody: body }, { now: near });
      expect(delivery).toMatchObject({
        id: "398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c",
        type: "slash_command",
        scheme: "slack",
        payload: { command: "/webhook-collect", user_name: "roadrunner", text: "" },
      });
      expect(delivery.timestamp).toEqual(at(timestamp));
    });

    it("hookgate's sign reproduces X-Slack-Signature from the same timestamp and body", async () => {
      const signed = await scheme.sign({ rawBody: body, timestamp: at(timestamp) });
      expect(signed["x-slack-signature"]).toBe(signature);
      expect(signed["x-slack-request-timestamp"]).toBe(String(timestamp));
      expect(signed["content-type"]).toBe("application/x-www-form-urlencoded");
    });

    it("negative: a changed field, a wrong secret", async () => {
      await expectRejected(
        verify(scheme, { headers, rawBody: body.replace("text=&", "text=rm&") }, { now: near }),
        "signature_mismatch",
      );
      await expectRejected(
        verify(
          schemes.slack({ secret: "8f742231b10e8888abcd99yyyzzz85a6" }),
          { headers, rawBody: body },
          { now: near },
        ),
        "signature_mismatch",
      );
    });

    it("negative: replayed past the tolerance, or received before it was sent", async () => {
      await expect(
        verify(scheme, { headers, rawBody: body }, { now: at(timestamp + DEFAULT_TOLERANCE) }),
      ).resolves.toBeTruthy();
      await expectRejected(
        verify(scheme, { headers, rawBody: body }, { now: at(timestamp + DEFAULT_TOLERANCE + 1) }),
        "timestamp_too_old",
      );
      await expectRejected(
        verify(scheme, { headers, rawBody: body }, { now: at(timestamp - DEFAULT_TOLERANCE - 1) }),
        "timestamp_in_future",
      );
      // The real clock is years past 2018.
      await expectRejected(verify(scheme, { headers, rawBody: body }), "timestamp_too_old");
    });
  });

  describe("Shopify: shopify-app-js webhooks validate.test.ts", () => {
    const apiSecretKey = "test_secret_key";
    const rawBody = '{"foo": "bar"}';
    const hmac = "B23tXN681gZ0qIWNRrgtzBE9XSDo5yaUu6wfmhu3a7g=";
    const headers = {
      "Content-Type": "application/json",
      "X-Shopify-API-Version": "2023-01",
      "X-Shopify-Shop-Domain": "shop1.myshopify.io",
      "X-Shopify-Hmac-Sha256": hmac,
      "X-Shopify-Topic": "products/create",
      "X-Shopify-Webhook-Id": "123456789",
    };
    const scheme = schemes.shopify({ secret: apiSecretKey });

    it("hookgate verifies it, keyed by the webhook id and typed by the topic", async () => {
      const delivery = await verify(scheme, { headers, rawBody });
      expect(delivery).toMatchObject({
        id: "123456789",
        type: "products/create",
        scheme: "shopify",
        payload: { foo: "bar" },
        matchedSecret: { index: 0 },
      });
    });

    it("hookgate verifies it under the newer un-prefixed shopify-* header names", async () => {
      const events = {
        "content-type": "application/json",
        "shopify-hmac-sha256": hmac,
        "shopify-topic": "products/create",
        "shopify-event-id": "evt-987",
      };
      await expect(verify(scheme, { headers: events, rawBody })).resolves.toMatchObject({
        id: "evt-987",
        type: "products/create",
      });
    });

    it("hookgate's sign reproduces X-Shopify-Hmac-Sha256", async () => {
      const signed = await scheme.sign({ rawBody, id: "123456789", type: "products/create" });
      expect(signed["x-shopify-hmac-sha256"]).toBe(hmac);
      expect(signed["x-shopify-topic"]).toBe("products/create");
    });

    it("negative: the body without its space, a wrong secret", async () => {
      await expectRejected(verify(scheme, { headers, rawBody: '{"foo":"bar"}' }), "signature_mismatch");
      await expectRejected(
        verify(schemes.shopify({ secret: "test_secret_kez" }), { headers, rawBody }),
        "signature_mismatch",
      );
    });
  });

  describe("Paddle: paddle-node-sdk webhooks-validator.node.test.ts", () => {
    const secretKey = "VALID_SECRET";
    const ts = 1698796800; // the SDK test's frozen clock, 2023-11-01T00:00:00Z
    const body = '{"data": ["1", "2"]}';
    const signature = "ts=1698796800;h1=a300428748dce5c70e4da19bffd60769591ea969c99dea3105d0ec9612cf43f9";
    const multiBody = '{"data": "value"}';
    const multiSignature =
      "ts=1698796800;h1=28981e941fae76e53db32f3d2a83cb69db41476595e84e1970a1b5d98f62b261;h1=28981e941fae76e53db32f3d2a83cb69db41476595e84e1970a1b5d98f62b261;h2=RANDOM_HASH";
    const scheme = schemes.paddle({ secret: secretKey });
    const paddleHeaders = (value: string) => ({
      "content-type": "application/json",
      "paddle-signature": value,
    });

    it("hookgate verifies the valid signature", async () => {
      const delivery = await verify(
        scheme,
        { headers: paddleHeaders(signature), rawBody: body },
        { now: at(ts) },
      );
      expect(delivery).toMatchObject({
        scheme: "paddle",
        payload: { data: ["1", "2"] },
        matchedSecret: { index: 0 },
      });
      expect(delivery.timestamp).toEqual(at(ts));
    });

    it("hookgate verifies the header with repeated h1 and an unknown h2", async () => {
      await expect(
        verify(scheme, { headers: paddleHeaders(multiSignature), rawBody: multiBody }, { now: at(ts) }),
      ).resolves.toMatchObject({ payload: { data: "value" } });
    });

    it("hookgate's sign reproduces Paddle-Signature", async () => {
      const signed = await scheme.sign({ rawBody: body, timestamp: at(ts) });
      expect(signed["paddle-signature"]).toBe(signature);
      const multi = await scheme.sign({ rawBody: multiBody, timestamp: at(ts) });
      expect(multiSignature.startsWith(`${multi["paddle-signature"]};`)).toBe(true);
    });

    it("negative: the SDK test's re-spaced body is refused", async () => {
      await expectRejected(
        verify(
          scheme,
          { headers: paddleHeaders(signature), rawBody: '{ "data": [ "1", "2" ]}' },
          { now: at(ts) },
        ),
        "signature_mismatch",
      );
    });

    it("with Paddle's own 5 s tolerance: valid at +5 s, too old at +6 s", async () => {
      const input = { headers: paddleHeaders(signature), rawBody: body };
      await expect(verify(scheme, input, { now: at(ts + 5), tolerance: 5 })).resolves.toBeTruthy();
      await expectRejected(verify(scheme, input, { now: at(ts + 6), tolerance: 5 }), "timestamp_too_old");
      await expectRejected(verify(scheme, input, { now: at(ts - 6), tolerance: 5 }), "timestamp_in_future");
    });

    it("negative: the SDK test's malformed headers", async () => {
      const input = (value: string) => ({ headers: paddleHeaders(value), rawBody: body });
      await expectRejected(
        verify(scheme, input("h1=invalid_header"), { now: at(ts) }),
        "malformed_signature",
      );
      await expectRejected(
        verify(scheme, input("ts=1234;h2=invalid_header"), { now: at(1234) }),
        "malformed_signature",
      );
    });
  });
});
