import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { forceWebCrypto, generateEcdsaP256 } from "../internal/crypto.js";
import { verify } from "../verify.js";
import { sendgrid } from "./sendgrid.js";

const SIGNATURE = "x-twilio-email-event-webhook-signature";
// The order of P-256's base point (FIPS 186-4 D.1.2.3).
const N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;

const toBig = (bytes: Uint8Array) => bytes.reduce((n, b) => (n << 8n) | BigInt(b), 0n);
function integer(value: bigint, pad: number): Buffer {
  let hex = value.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  let bytes = Buffer.from(hex, "hex");
  if (bytes[0]! & 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes]);
  bytes = Buffer.concat([Buffer.alloc(pad), bytes]);
  return Buffer.concat([Buffer.from([0x02, bytes.length]), bytes]);
}
/** The DER signature `base64` re-encoded: s → n − s (`flip`), and `pad` redundant zero bytes in s. */
function reencode(base64: string, { flip = false, pad = 0 } = {}): string {
  const signature = Buffer.from(base64, "base64");
  const rLength = signature[3]!;
  const r = toBig(signature.subarray(4, 4 + rLength));
  const s = toBig(signature.subarray(6 + rLength, 6 + rLength + signature[5 + rLength]!));
  const body = Buffer.concat([integer(r, 0), integer(flip ? N - s : s, pad)]);
  return Buffer.concat([Buffer.from([0x30, body.length]), body]).toString("base64");
}

describe.each([
  ["node:crypto", false],
  ["Web Crypto", true],
])("sendgrid with %s", (_backend, web) => {
  beforeAll(() => forceWebCrypto(web));
  afterAll(() => forceWebCrypto(false));

  it("issue 18 hole 17: every encoding of one ECDSA signature gives one delivery id and one key per event", async () => {
    const keys = await generateEcdsaP256();
    const scheme = sendgrid({ privateKey: keys.privateKey });
    const rawBody = JSON.stringify([{ event: "open" }, { event: "click", sg_event_id: "e-2" }]);
    const headers = await scheme.sign({ rawBody });
    const genuine = await verify(scheme, { headers, rawBody });
    const ids = scheme.split!(genuine).map((event) => event.id);
    expect(ids).toEqual([`${genuine.id}:0`, "e-2"]);

    const variants = [{ flip: true }, { flip: false }];
    for (const variant of variants) {
      const signature = reencode(headers[SIGNATURE]!, variant);
      const delivery = await verify(scheme, { headers: { ...headers, [SIGNATURE]: signature }, rawBody });
      expect(delivery.id).toBe(genuine.id);
      expect(scheme.split!(delivery).map((event) => event.id)).toEqual(ids);
    }
    // A DER integer with a redundant leading zero is not DER: node:crypto refuses it (or it is too
    // long to be one); where a
    // back end accepts it (Web Crypto takes r ‖ s), it still maps to the same id.
    const padded = reencode(headers[SIGNATURE]!, { pad: 1 });
    const result = await verify(scheme, { headers: { ...headers, [SIGNATURE]: padded }, rawBody }).then(
      (delivery) => delivery.id,
      (error: { code: string }) => error.code,
    );
    expect([genuine.id, "signature_mismatch", "malformed_signature"]).toContain(result);
  });

  it("keeps the signature SendGrid sent as it came: a high-S signature verifies", async () => {
    const keys = await generateEcdsaP256();
    const scheme = sendgrid({ privateKey: keys.privateKey });
    const rawBody = JSON.stringify([{ event: "open", sg_event_id: "e-1" }]);
    const headers = await scheme.sign({ rawBody });
    for (const flip of [false, true]) {
      const signature = reencode(headers[SIGNATURE]!, { flip });
      await expect(
        verify(scheme, { headers: { ...headers, [SIGNATURE]: signature }, rawBody }),
      ).resolves.toMatchObject({ type: "open" });
    }
  });
});
