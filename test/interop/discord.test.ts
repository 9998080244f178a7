import { sign as edSign } from "node:crypto";
import { schemes, verify } from "@hookgate/core";
import { verifyKey } from "discord-interactions";
import { describe, expect, it } from "vitest";
import {
  DEFAULT_TOLERANCE,
  describeEachCryptoBackend,
  ed25519Pair,
  expectCryptoBackend,
  expectRejected,
  FIXED_NOW_SECONDS,
  fixedNow,
  header,
  tamper,
} from "./helpers.js";

const command = JSON.stringify({
  id: "1287453871234567890",
  application_id: "1187453871234567890",
  type: 2,
  token: "aW50ZXJhY3Rpb246MTI4NzQ1Mzg3MTIzNDU2Nzg5MA",
  data: {
    id: "1187453871234567891",
    name: "ping",
    type: 1,
    options: [{ name: "text", type: 3, value: "héllo ✓" }],
  },
  guild_id: "1087453871234567890",
  channel_id: "1087453871234567891",
  member: { user: { id: "80351110224678912", username: "nelly" } },
  version: 1,
});
const ping = JSON.stringify({
  id: "1287453871234567999",
  application_id: "1187453871234567890",
  type: 1,
  version: 1,
});

describeEachCryptoBackend("Discord (discord-interactions) ↔ hookgate", (backend) => {
  const app = ed25519Pair();
  const scheme = schemes.discord({ publicKey: app.publicHex, privateKey: app.seedHex });
  const receiver = schemes.discord({ publicKey: app.publicHex });

  it(`runs hookgate on ${backend}`, async () => {
    await expectCryptoBackend(backend, () => scheme.sign({ rawBody: command }));
  });

  describe("hookgate sign → discord-interactions verifyKey", () => {
    it("verifyKey accepts hookgate's X-Signature-Ed25519 over the timestamp and body", async () => {
      const headers = await scheme.sign({ rawBody: command, timestamp: fixedNow });
      const signature = header(headers, "x-signature-ed25519");
      const timestamp = header(headers, "x-signature-timestamp");
      expect(signature).toMatch(/^[0-9a-f]{128}$/);
      expect(timestamp).toBe(String(FIXED_NOW_SECONDS));
      expect(await verifyKey(command, signature, timestamp, app.publicHex)).toBe(true);
      expect(await verifyKey(Buffer.from(command), signature, timestamp, app.publicHex)).toBe(true);
    });

    it("verifyKey refuses it for a tampered body, another timestamp, or another application's key", async () => {
      const headers = await scheme.sign({ rawBody: command, timestamp: fixedNow });
      const signature = header(headers, "x-signature-ed25519");
      const timestamp = header(headers, "x-signature-timestamp");
      expect(await verifyKey(tamper(command), signature, timestamp, app.publicHex)).toBe(false);
      expect(await verifyKey(command, signature, String(FIXED_NOW_SECONDS + 1), app.publicHex)).toBe(false);
      expect(await verifyKey(command, signature, timestamp, ed25519Pair().publicHex)).toBe(false);
    });

    it("a PING signed by hookgate passes verifyKey and hookgate answers it with a PONG", async () => {
      const headers = await scheme.sign({ rawBody: ping });
      expect(
        await verifyKey(
          ping,
          header(headers, "x-signature-ed25519"),
          header(headers, "x-signature-timestamp"),
          app.publicHex,
        ),
      ).toBe(true);
      const delivery = await verify(receiver, { headers, rawBody: ping });
      expect(delivery.type).toBe("ping");
      expect(receiver.handshake?.(delivery)).toEqual({ body: { type: 1 } });
    });
  });

  describe("Discord-style signature (node:crypto Ed25519 over timestamp + body) → hookgate verify", () => {
    const discordHeaders = (timestamp: number, body: string) => ({
      "content-type": "application/json",
      "x-signature-timestamp": String(timestamp),
      "x-signature-ed25519": edSign(null, Buffer.from(`${timestamp}${body}`), app.privateKey).toString("hex"),
    });

    it("verifies with the public key alone, naming the interaction type", async () => {
      const delivery = await verify(
        receiver,
        { headers: discordHeaders(FIXED_NOW_SECONDS, command), rawBody: command },
        { now: fixedNow },
      );
      expect(delivery).toMatchObject({
        id: "1287453871234567890",
        type: "application_command",
        scheme: "discord",
        payload: JSON.parse(command),
        matchedSecret: { index: 0 },
      });
      expect(delivery.timestamp).toEqual(fixedNow);
      expect(receiver.handshake?.(delivery)).toBeUndefined();
    });

    it("verifies with an upper-case hex public key", async () => {
      const upper = schemes.discord({ publicKey: app.publicHex.toUpperCase() });
      await expect(
        verify(
          upper,
          { headers: discordHeaders(FIXED_NOW_SECONDS, command), rawBody: command },
          { now: fixedNow },
        ),
      ).resolves.toMatchObject({ type: "application_command" });
    });

    it("finds the right key among several applications' public keys", async () => {
      const several = schemes.discord({
        publicKey: [
          { id: "staging", value: ed25519Pair().publicHex },
          { id: "production", value: app.publicHex },
        ],
      });
      const delivery = await verify(
        several,
        { headers: discordHeaders(FIXED_NOW_SECONDS, command), rawBody: command },
        { now: fixedNow },
      );
      expect(delivery.matchedSecret).toEqual({ index: 1, id: "production" });
    });

    it("negative: a tampered body", async () => {
      await expectRejected(
        verify(
          receiver,
          { headers: discordHeaders(FIXED_NOW_SECONDS, command), rawBody: tamper(command) },
          { now: fixedNow },
        ),
        "signature_mismatch",
      );
    });

    it("negative: another application's key", async () => {
      const other = schemes.discord({ publicKey: ed25519Pair().publicHex });
      await expectRejected(
        verify(
          other,
          { headers: discordHeaders(FIXED_NOW_SECONDS, command), rawBody: command },
          { now: fixedNow },
        ),
        "signature_mismatch",
      );
    });

    it("negative: a timestamp older than the tolerance", async () => {
      const old = FIXED_NOW_SECONDS - DEFAULT_TOLERANCE - 1;
      await expectRejected(
        verify(receiver, { headers: discordHeaders(old, command), rawBody: command }, { now: fixedNow }),
        "timestamp_too_old",
      );
    });

    it("negative: a timestamp further in the future than the tolerance", async () => {
      const future = FIXED_NOW_SECONDS + DEFAULT_TOLERANCE + 1;
      await expectRejected(
        verify(receiver, { headers: discordHeaders(future, command), rawBody: command }, { now: fixedNow }),
        "timestamp_in_future",
      );
    });
  });
});
