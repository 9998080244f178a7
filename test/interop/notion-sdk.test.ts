/**
 * Notion's official SDK (`@notionhq/client`) ↔ hookgate, both ways: its `verifyWebhookSignature`
 * checks what hookgate's `notion` scheme signs, and hookgate verifies what its
 * `signWebhookPayload` signs — including the verification handshake, which the SDK's own tests
 * describe Notion signing with the very token it carries.
 */
import { createReceiver, schemes, verify } from "@hookgate/core";
import { signWebhookPayload, verifyWebhookSignature } from "@notionhq/client";
import { describe, expect, it } from "vitest";
import {
  describeEachCryptoBackend,
  expectCryptoBackend,
  expectRejected,
  header,
  randomSecret,
  tamper,
} from "./helpers.js";

const event = JSON.stringify({
  id: "56c2c4e1-8c7a-4c3b-9a1e-2f1f8f3b6d10",
  timestamp: "2026-01-01T10:00:00.000Z",
  workspace_id: "13950b26-c203-4f3b-b97d-93ec06319565",
  subscription_id: "29d75c0d-5546-4414-8459-7b7a92f1fc4b",
  integration_id: "0ef2a4d9-4e3b-4c5b-9c1b-4f3d7b1e2a10",
  type: "page.created",
  authors: [{ id: "c7c11cca-1d73-471d-9b6e-bdef51470190", type: "person" }],
  entity: { id: "153104cd-477e-809d-8dc4-ff2d96ae3090", type: "page" },
  data: { parent: { id: "13950b26-c203-4f3b-b97d-93ec06319565", type: "space" } },
});

describeEachCryptoBackend("Notion (@notionhq/client) ↔ hookgate", (backend) => {
  const token = `secret_${randomSecret()}`;
  const scheme = schemes.notion({ secret: token });

  it(`runs hookgate on ${backend}`, async () => {
    await expectCryptoBackend(backend, () => scheme.sign({ rawBody: event }));
  });

  describe("hookgate sign → verifyWebhookSignature", () => {
    it("the SDK accepts hookgate's X-Notion-Signature, which is exactly the SDK's", async () => {
      const headers = await scheme.sign({ rawBody: event });
      const signature = header(headers, "x-notion-signature");
      expect(await verifyWebhookSignature({ body: event, signature, verificationToken: token })).toBe(true);
      expect(signature).toBe(await signWebhookPayload({ body: event, verificationToken: token }));
    });

    it("the SDK refuses it for a tampered body or another token", async () => {
      const signature = header(await scheme.sign({ rawBody: event }), "x-notion-signature");
      expect(await verifyWebhookSignature({ body: tamper(event), signature, verificationToken: token })).toBe(
        false,
      );
      expect(
        await verifyWebhookSignature({ body: event, signature, verificationToken: randomSecret() }),
      ).toBe(false);
    });
  });

  describe("SDK signWebhookPayload → hookgate verify", () => {
    it("verifies the SDK's signature, keyed and typed by the event", async () => {
      const signature = await signWebhookPayload({ body: event, verificationToken: token });
      const delivery = await verify(scheme, {
        headers: { "content-type": "application/json", "x-notion-signature": signature },
        rawBody: event,
      });
      expect(delivery).toMatchObject({
        id: "56c2c4e1-8c7a-4c3b-9a1e-2f1f8f3b6d10",
        type: "page.created",
        scheme: "notion",
        matchedSecret: { index: 0 },
      });
    });

    it("accepts upper-case hex, as the SDK does", async () => {
      const signature = await signWebhookPayload({ body: event, verificationToken: token });
      const upper = `sha256=${signature.slice("sha256=".length).toUpperCase()}`;
      expect(await verifyWebhookSignature({ body: event, signature: upper, verificationToken: token })).toBe(
        true,
      );
      await expect(
        verify(scheme, { headers: { "x-notion-signature": upper }, rawBody: event }),
      ).resolves.toBeTruthy();
    });

    it("negative: another token, a tampered body, the hex without its sha256= prefix", async () => {
      const signature = await signWebhookPayload({ body: event, verificationToken: randomSecret() });
      await expectRejected(
        verify(scheme, { headers: { "x-notion-signature": signature }, rawBody: event }),
        "signature_mismatch",
      );
      const good = await signWebhookPayload({ body: event, verificationToken: token });
      await expectRejected(
        verify(scheme, { headers: { "x-notion-signature": good }, rawBody: tamper(event) }),
        "signature_mismatch",
      );
      await expectRejected(
        verify(scheme, { headers: { "x-notion-signature": good.slice("sha256=".length) }, rawBody: event }),
        "malformed_signature",
      );
    });
  });

  describe("the verification handshake", () => {
    const handshakeToken = `secret_${randomSecret()}`;
    const handshake = JSON.stringify({ verification_token: handshakeToken });

    it("a handshake signed with its own token (as the SDK's tests describe) reaches onVerificationToken", async () => {
      const received: string[] = [];
      // The receiver does not know the token yet: it is configured with a placeholder.
      const receiver = createReceiver({
        scheme: schemes.notion({
          secret: "not-yet-known",
          onVerificationToken: (t) => void received.push(t),
        }),
      });
      const signature = await signWebhookPayload({ body: handshake, verificationToken: handshakeToken });
      expect(
        await verifyWebhookSignature({ body: handshake, signature, verificationToken: handshakeToken }),
      ).toBe(true);
      const answer = await receiver.handle({
        headers: { "content-type": "application/json", "x-notion-signature": signature },
        rawBody: new TextEncoder().encode(handshake),
      });
      expect(answer).toMatchObject({ status: 200, outcome: "handshake" });
      expect(received).toEqual([handshakeToken]);
    });

    it("an unsigned handshake still reaches onVerificationToken", async () => {
      const received: string[] = [];
      const receiver = createReceiver({
        scheme: schemes.notion({
          secret: "not-yet-known",
          onVerificationToken: (t) => void received.push(t),
        }),
      });
      const answer = await receiver.handle({
        headers: { "content-type": "application/json" },
        rawBody: new TextEncoder().encode(handshake),
      });
      expect(answer).toMatchObject({ status: 200, outcome: "handshake" });
      expect(received).toEqual([handshakeToken]);
    });

    it("negative: a handshake signed with another token is not a handshake, and is refused", async () => {
      const received: string[] = [];
      const receiver = createReceiver({
        scheme: schemes.notion({
          secret: "not-yet-known",
          onVerificationToken: (t) => void received.push(t),
        }),
      });
      const signature = await signWebhookPayload({ body: handshake, verificationToken: randomSecret() });
      const answer = await receiver.handle({
        headers: { "content-type": "application/json", "x-notion-signature": signature },
        rawBody: new TextEncoder().encode(handshake),
      });
      expect(answer).toMatchObject({ status: 401, outcome: "rejected" });
      expect(received).toEqual([]);
    });
  });
});
