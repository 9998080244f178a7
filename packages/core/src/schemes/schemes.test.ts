import { describe, expect, it } from "vitest";
import { WebhookError } from "../errors.js";
import { toHex } from "../internal/bytes.js";
import { generateEd25519 } from "../internal/crypto.js";
import { verify } from "../verify.js";
import { schemes } from "./index.js";

const discordKeys = await generateEd25519();
const otherDiscordKeys = await generateEd25519();

const json = (value: unknown) => JSON.stringify(value);

const expectCode = (promise: Promise<unknown>, code: string, status: number) =>
  expect(promise).rejects.toMatchObject({ name: "WebhookError", code, status });

// What every scheme shares (round trip, tampering, freshness, what its facts say) is in
// scheme-cases.test.ts; here are the provider-specific vectors and protocols.
describe("Linear's payload timestamp", () => {
  const scheme = schemes.linear({ secret: "lin_wh_right" });
  it("is required", async () => {
    const rawBody = json({ action: "update", type: "Issue" });
    await expectCode(
      verify(scheme, { headers: await scheme.sign({ rawBody }), rawBody }),
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
