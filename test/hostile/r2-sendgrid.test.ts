import { createReceiver, schemes } from "@hookgate/core";
import { afterEach, describe, expect, it } from "vitest";
import { generateEcdsaP256 } from "../../packages/core/src/internal/crypto.js";
import { type Running, routes, serve } from "./support.js";

// Hole 17: an ECDSA signature (r, s) has a twin (r, n − s) that verifies the same bytes. SendGrid
// events without `sg_event_id` are keyed by the signature and their position, so a re-encoded
// signature used to make a captured batch look new.

const SIGNATURE = "x-twilio-email-event-webhook-signature";
// The order of P-256's base point (FIPS 186-4 D.1.2.3).
const N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;

const toBig = (bytes: Uint8Array) => bytes.reduce((n, b) => (n << 8n) | BigInt(b), 0n);
function integer(value: bigint, pad = 0): Buffer {
  let hex = value.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  let bytes = Buffer.from(hex, "hex");
  if (bytes[0]! & 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes]);
  bytes = Buffer.concat([Buffer.alloc(pad), bytes]);
  return Buffer.concat([Buffer.from([0x02, bytes.length]), bytes]);
}
/** Reads a DER signature's (r, s). */
function readDer(signature: Buffer): { r: bigint; s: bigint } {
  const rLength = signature[3]!;
  const r = signature.subarray(4, 4 + rLength);
  const s = signature.subarray(6 + rLength, 6 + rLength + signature[5 + rLength]!);
  return { r: toBig(r), s: toBig(s) };
}
/** DER of (r, s), optionally with `pad` redundant leading zero bytes in s. */
function der(r: bigint, s: bigint, pad = 0): Buffer {
  const body = Buffer.concat([integer(r), integer(s, pad)]);
  return Buffer.concat([Buffer.from([0x30, body.length]), body]);
}
/** The same signature with s replaced by n − s: it verifies too. */
function twin(base64: string): string {
  const { r, s } = readDer(Buffer.from(base64, "base64"));
  return der(r, N - s).toString("base64");
}

const running: Running[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((app) => app.close()));
});

describe("issue 18 hole 17: SendGrid ECDSA signatures are keyed by their canonical form", () => {
  for (const route of routes) {
    it(`issue 18 hole 17: a batch re-sent with its signature as (r, n − s) is a duplicate (${route})`, async () => {
      const keys = await generateEcdsaP256();
      const scheme = schemes.sendgrid({ privateKey: keys.privateKey });
      const receiver = createReceiver({ scheme });
      const seen: string[] = [];
      receiver.onAny((event) => void seen.push(`${event.type}:${event.id}`));
      const app = await serve(route, receiver);
      running.push(app);
      // Events without sg_event_id, as SendGrid sends some (e.g. group_unsubscribe from old accounts).
      const body = JSON.stringify([
        { email: "ada@example.com", event: "open", timestamp: 1_750_000_000 },
        { email: "ada@example.com", event: "click", timestamp: 1_750_000_001 },
      ]);
      const headers: Record<string, string> = {
        ...(await scheme.sign({ rawBody: body })),
        "content-type": "application/json",
      };
      const first = await app.send({ path: "/webhooks", headers, body });
      expect(first.status, first.body).toBe(200);
      expect(seen).toHaveLength(2);

      const replay = { ...headers, [SIGNATURE]: twin(headers[SIGNATURE]!) };
      expect(replay[SIGNATURE]).not.toBe(headers[SIGNATURE]);
      const second = await app.send({ path: "/webhooks", headers: replay, body });
      expect(second.status, second.body).toBe(200);
      expect(seen, "the re-encoded signature ran the handlers again").toHaveLength(2);
    });
  }
});
