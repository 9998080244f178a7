import { createHmac } from "node:crypto";
import { describe, expect, it, vi } from "vitest";
import { generateEcdsaP256 } from "../internal/crypto.js";
import { cachedSecrets } from "../scheme/cached-secrets.js";
import type { ChallengeRequest, SecretRequest } from "../types.js";
import { verify } from "../verify.js";
import { schemes } from "./index.js";

const json = (value: unknown) => JSON.stringify(value);
const bytes = (text: string) => new TextEncoder().encode(text);
const expectCode = (promise: Promise<unknown>, code: string, status: number) =>
  expect(promise).rejects.toMatchObject({ name: "WebhookError", code, status });
const challengeOf = (
  method: string,
  url: string,
  headers: Record<string, string>,
  body = "",
): ChallengeRequest => ({
  method,
  url,
  headers,
  rawBody: bytes(body),
});

describe("batches split into one delivery per event", () => {
  it("SendGrid: each event keyed by sg_event_id and typed by event", async () => {
    const keys = await generateEcdsaP256();
    const scheme = schemes.sendgrid({ privateKey: keys.privateKey });
    const rawBody = json([
      { email: "a@example.com", event: "processed", sg_event_id: "sg-1", timestamp: 1 },
      { email: "a@example.com", event: "delivered", sg_event_id: "sg-2", timestamp: 2 },
      { email: "b@example.com", event: "open" },
    ]);
    const delivery = await verify(scheme, { headers: await scheme.sign({ rawBody }), rawBody });
    expect(delivery.type).toBe("batch");
    const parts = scheme.split!(delivery);
    expect(parts.map((d) => [d.id, d.type])).toEqual([
      ["sg-1", "processed"],
      ["sg-2", "delivered"],
      [`${delivery.id}:2`, "open"],
    ]);
    expect(parts[1]!.payload).toMatchObject({ sg_event_id: "sg-2" });
    expect(parts[1]!.matchedSecret).toEqual(delivery.matchedSecret);
  });

  it("SendGrid: the public key alone verifies but cannot sign", async () => {
    const keys = await generateEcdsaP256();
    const rawBody = json([{ event: "open", sg_event_id: "x" }]);
    const headers = await schemes.sendgrid({ privateKey: keys.privateKey }).sign({ rawBody });
    const verifier = schemes.sendgrid({ publicKey: keys.publicKey });
    await expect(verify(verifier, { headers, rawBody })).resolves.toMatchObject({ type: "open" });
    await expectCode(verifier.sign({ rawBody }), "invalid_secret", 500);
    await expectCode(
      Promise.resolve().then(() => schemes.sendgrid({ publicKey: "not-a-key" })),
      "invalid_secret",
      500,
    );
  });

  it("LINE: events keyed by webhookEventId; the console's empty Verify request splits into none", async () => {
    const scheme = schemes.line({ secret: "channel-secret" });
    const rawBody = json({
      destination: "U0",
      events: [
        { type: "message", webhookEventId: "01HA", message: { type: "text", text: "hi" } },
        { type: "follow", webhookEventId: "01HB" },
      ],
    });
    const delivery = await verify(scheme, { headers: await scheme.sign({ rawBody }), rawBody });
    expect(scheme.split!(delivery).map((d) => [d.id, d.type])).toEqual([
      ["01HA", "message"],
      ["01HB", "follow"],
    ]);
    const empty = json({ destination: "U0", events: [] });
    const verifyRequest = await verify(scheme, {
      headers: await scheme.sign({ rawBody: empty }),
      rawBody: empty,
    });
    expect(scheme.split!(verifyRequest)).toEqual([]);
  });

  it("HubSpot: events keyed by subscriptionId:eventId", async () => {
    const scheme = schemes.hubspot({ secret: "client-secret" });
    const url = "https://example.com/hubspot";
    const rawBody = json([
      { eventId: 100, subscriptionId: 7, subscriptionType: "contact.creation", objectId: 1 },
      { eventId: 101, subscriptionId: 7, subscriptionType: "contact.propertyChange", objectId: 1 },
    ]);
    const delivery = await verify(scheme, { headers: await scheme.sign({ rawBody, url }), rawBody, url });
    expect(scheme.split!(delivery).map((d) => [d.id, d.type])).toEqual([
      ["7:100", "contact.creation"],
      ["7:101", "contact.propertyChange"],
    ]);
  });
});

describe("signed URLs and methods", () => {
  it("HubSpot signs method and URL: another URL fails, a percent-encoded one matches its decoded form", async () => {
    const scheme = schemes.hubspot({ secret: "client-secret" });
    const rawBody = json([{ eventId: 1, subscriptionId: 1, subscriptionType: "deal.creation" }]);
    const headers = await scheme.sign({ rawBody, url: "https://example.com/hooks?portal=1:2" });
    await expect(
      verify(scheme, { headers, rawBody, url: "https://example.com/hooks?portal=1%3A2" }),
    ).resolves.toMatchObject({ type: "deal.creation" });
    await expectCode(
      verify(scheme, { headers, rawBody, url: "https://example.com/other" }),
      "signature_mismatch",
      401,
    );
    await expectCode(
      verify(scheme, { headers, rawBody, url: "https://example.com/hooks?portal=1:2", method: "PUT" }),
      "signature_mismatch",
      401,
    );
    await expectCode(verify(scheme, { headers, rawBody }), "url_required", 500);
  });
});

describe("token schemes (Telegram, GitLab)", () => {
  it("compare the whole token: a prefix, a longer token and another token all fail", async () => {
    const scheme = schemes.telegram({ secret: "tg_Secret-123" });
    const rawBody = json({ update_id: 5, callback_query: { id: "q" } });
    const headers = await scheme.sign({ rawBody });
    expect(headers["x-telegram-bot-api-secret-token"]).toBe("tg_Secret-123");
    await expect(verify(scheme, { headers, rawBody })).resolves.toMatchObject({
      id: "5",
      type: "callback_query",
    });
    for (const token of ["tg_Secret-12", "tg_Secret-1234", "tg_Secret-124"]) {
      await expectCode(
        verify(scheme, { headers: { "x-telegram-bot-api-secret-token": token }, rawBody }),
        "signature_mismatch",
        401,
      );
    }
  });

  it("GitLab needs a delivery id (the token is the same on every delivery) and never exposes the token as the signature", async () => {
    const scheme = schemes.gitlab({ secret: "glpat-hook" });
    const rawBody = json({ object_kind: "push" });
    await expectCode(
      verify(scheme, { headers: { "x-gitlab-token": "glpat-hook" }, rawBody }),
      "missing_header",
      400,
    );
    const delivery = await verify(scheme, {
      headers: {
        "x-gitlab-token": "glpat-hook",
        "idempotency-key": "idem-1",
        "x-gitlab-event-uuid": "uuid-2",
      },
      rawBody,
    });
    expect(delivery).toMatchObject({ id: "idem-1", type: "push" });
    // The delivery is plain data: nothing hidden on it or its prototype, the token nowhere in it.
    expect(Object.getOwnPropertySymbols(delivery)).toEqual([]);
    expect(Object.getPrototypeOf(delivery)).toBe(Object.prototype);
    const { rawBody: signedBytes, ...fields } = delivery;
    expect(JSON.stringify(fields)).not.toContain("glpat-hook");
    expect(new TextDecoder().decode(signedBytes)).not.toContain("glpat-hook");
  });
});

describe("handshakes and challenges", () => {
  it("Twitch webhook_callback_verification is answered with the challenge as text/plain", async () => {
    const scheme = schemes.twitch({ secret: "s3cre7-twitch" });
    const rawBody = json({
      challenge: "pogchamp-kappa-360noscope-vohiyo",
      subscription: { type: "channel.follow" },
    });
    const headers = await scheme.sign({ rawBody, type: "webhook_callback_verification" });
    expect(headers["twitch-eventsub-message-type"]).toBe("webhook_callback_verification");
    const delivery = await verify(scheme, { headers, rawBody });
    expect(delivery.type).toBe("webhook_callback_verification");
    expect(scheme.handshake!(delivery)).toEqual({
      body: "pogchamp-kappa-360noscope-vohiyo",
      contentType: "text/plain",
    });
    const revocation = json({ subscription: { type: "channel.follow", status: "authorization_revoked" } });
    const revoked = await verify(scheme, {
      headers: await scheme.sign({ rawBody: revocation }),
      rawBody: revocation,
    });
    expect(revoked.type).toBe("revocation");
    expect(scheme.handshake!(revoked)).toBeUndefined();
  });

  it("Twitch timestamps are RFC 3339 with nanoseconds", async () => {
    const scheme = schemes.twitch({ secret: "s3cre7-twitch" });
    const rawBody = json({ subscription: { type: "channel.follow" }, event: {} });
    const timestamp = "2026-03-01T12:00:00.123456789Z";
    const id = "msg-1";
    const sig = createHmac("sha256", "s3cre7-twitch")
      .update(id + timestamp + rawBody)
      .digest("hex");
    const headers = {
      "twitch-eventsub-message-id": id,
      "twitch-eventsub-message-timestamp": timestamp,
      "twitch-eventsub-message-signature": `sha256=${sig}`,
    };
    const delivery = await verify(scheme, { headers, rawBody }, { now: new Date("2026-03-01T12:01:00Z") });
    expect(delivery.timestamp).toEqual(new Date("2026-03-01T12:00:00.123Z"));
    await expectCode(
      verify(scheme, { headers: { ...headers, "twitch-eventsub-message-timestamp": "yesterday" }, rawBody }),
      "malformed_timestamp",
      400,
    );
  });

  it("Zoom endpoint.url_validation: verified, then answered with plainToken and its HMAC", async () => {
    const scheme = schemes.zoom({ secret: ["old-token", "zoom-secret-token"] });
    const signer = schemes.zoom({ secret: "zoom-secret-token" });
    const rawBody = json({
      payload: { plainToken: "qgg8vlvZRS6UYooatFL8Aw" },
      event_ts: 1654503849680,
      event: "endpoint.url_validation",
    });
    const headers = await signer.sign({ rawBody });
    const reply = await scheme.challenge!({
      method: "POST",
      url: "https://e.com/zoom",
      headers,
      rawBody: bytes(rawBody),
    });
    expect(reply).toEqual({
      body: {
        plainToken: "qgg8vlvZRS6UYooatFL8Aw",
        encryptedToken: createHmac("sha256", "zoom-secret-token")
          .update("qgg8vlvZRS6UYooatFL8Aw")
          .digest("hex"),
      },
    });
    // Unsigned, or any other event: no answer from the challenge (unsigned throws, the rest verify as usual).
    await expectCode(
      Promise.resolve(
        scheme.challenge!({ method: "POST", url: undefined, headers: {}, rawBody: bytes(rawBody) }),
      ),
      "missing_signature",
      400,
    );
    const other = json({ event: "meeting.started", payload: {} });
    expect(
      await scheme.challenge!({
        method: "POST",
        url: undefined,
        headers: await signer.sign({ rawBody: other }),
        rawBody: bytes(other),
      }),
    ).toBeUndefined();
  });

  it("Dropbox answers only a GET with ?challenge=, as text/plain with nosniff", async () => {
    const scheme = schemes.dropbox({ secret: "app-secret" });
    expect(await scheme.challenge!(challengeOf("GET", "https://e.com/dropbox?challenge=abc123", {}))).toEqual(
      {
        body: "abc123",
        contentType: "text/plain",
        headers: { "x-content-type-options": "nosniff" },
      },
    );
    expect(await scheme.challenge!(challengeOf("GET", "https://e.com/dropbox", {}))).toBeUndefined();
    expect(
      await scheme.challenge!(challengeOf("POST", "https://e.com/dropbox?challenge=abc", {})),
    ).toBeUndefined();
  });

  it("Asana echoes X-Hook-Secret after handing it to onHookSecret; a signed request is no handshake", async () => {
    const onHookSecret = vi.fn();
    // No secret is established for this webhook yet: the handshake may establish one.
    const scheme = schemes.asana({ secret: () => [], onHookSecret });
    const reply = await scheme.challenge!(
      challengeOf("POST", "https://e.com/asana", { "X-Hook-Secret": "b537207f20cbfa02357cf448134da559" }),
    );
    expect(reply).toEqual({
      body: "",
      contentType: "text/plain",
      headers: { "x-hook-secret": "b537207f20cbfa02357cf448134da559" },
    });
    expect(onHookSecret).toHaveBeenCalledWith(
      "b537207f20cbfa02357cf448134da559",
      expect.objectContaining({ method: "POST" }),
    );
    expect(
      await scheme.challenge!(
        challengeOf("POST", "https://e.com/asana", { "x-hook-secret": "x", "x-hook-signature": "00" }),
      ),
    ).toBeUndefined();
    expect(schemes.asana({ secret: "stored" }).challenge).toBeUndefined();
  });

  it("Asana: a handshake never replaces an established secret (issue 18 hole 1)", async () => {
    const onHookSecret = vi.fn();
    const handshake = challengeOf("POST", "https://e.com/asana", { "x-hook-secret": "attacker" });
    for (const secret of ["stored", () => "stored", async () => ["stored"]]) {
      const scheme = schemes.asana({ secret, onHookSecret });
      await expect(scheme.challenge!(handshake)).rejects.toMatchObject({
        code: "handshake_refused",
        status: 403,
      });
    }
    expect(onHookSecret).not.toHaveBeenCalled();
    // An empty answer is no secret: the handshake establishes one.
    await expect(
      schemes.asana({ secret: () => [], onHookSecret }).challenge!(handshake),
    ).resolves.toMatchObject({
      headers: { "x-hook-secret": "attacker" },
    });
    expect(onHookSecret).toHaveBeenCalledTimes(1);
  });

  it("Notion hands the unsigned verification_token to onVerificationToken; nothing else is a challenge", async () => {
    const onVerificationToken = vi.fn();
    const scheme = schemes.notion({ secret: "secret_tok", onVerificationToken });
    const body = json({ verification_token: "secret_tMrlL1qK5vuQAh1b6cZGhFChZTSYJlce98V0pYn7yBl" });
    expect(await scheme.challenge!(challengeOf("POST", "https://e.com/notion", {}, body))).toEqual({
      body: {},
    });
    expect(onVerificationToken).toHaveBeenCalledWith(
      "secret_tMrlL1qK5vuQAh1b6cZGhFChZTSYJlce98V0pYn7yBl",
      expect.anything(),
    );
    const event = json({ id: "e", type: "page.created", verification_token: "x" });
    expect(await scheme.challenge!(challengeOf("POST", "https://e.com/notion", {}, event))).toBeUndefined();
    expect(
      await scheme.challenge!(
        challengeOf("POST", "https://e.com/notion", { "x-notion-signature": "sha256=00" }, body),
      ),
    ).toBeUndefined();
    expect(onVerificationToken).toHaveBeenCalledTimes(1);
  });

  it("Trello answers the HEAD it sends when a webhook is created", async () => {
    const scheme = schemes.trello({ secret: "s" });
    expect(await scheme.challenge!(challengeOf("HEAD", "https://e.com/trello", {}))).toEqual({
      body: "",
      contentType: "text/plain",
    });
    expect(await scheme.challenge!(challengeOf("POST", "https://e.com/trello", {}))).toBeUndefined();
  });

  it("Box verifies the secondary signature under the secondary key", async () => {
    const rawBody = json({ trigger: "FILE.UPLOADED" });
    const timestamp = new Date();
    const headers = await schemes.box({ secret: "secondary-key" }).sign({ rawBody, id: "d1", timestamp });
    const rotated = { ...headers, "box-signature-primary": Buffer.alloc(32).toString("base64") };
    const delivery = await verify(schemes.box({ secret: ["primary-key", "secondary-key"] }), {
      headers: rotated,
      rawBody,
    });
    expect(delivery.matchedSecret).toEqual({ index: 1 });
  });
});

describe("per-request secrets", () => {
  const tenants: Record<string, string> = { acme: "acme-secret", globex: "globex-secret" };
  const url = (tenant: string) => `https://hooks.example.com/webhooks/${tenant}`;

  it("a function of the request's params picks the secret; another tenant's URL is refused", async () => {
    const lookup = vi.fn(({ params }: SecretRequest) => [
      { id: params.tenant!, value: tenants[params.tenant!]! },
    ]);
    const scheme = schemes.github({ secret: lookup });
    const rawBody = json({ action: "opened" });
    const headers = await schemes
      .github({ secret: "acme-secret" })
      .sign({ rawBody, id: "d", type: "issues" });
    const delivery = await verify(scheme, { headers, rawBody, url: url("acme"), params: { tenant: "acme" } });
    expect(delivery.matchedSecret).toEqual({ index: 0, id: "acme" });
    await expectCode(
      verify(scheme, { headers, rawBody, url: url("globex"), params: { tenant: "globex" } }),
      "signature_mismatch",
      401,
    );
    expect(lookup).toHaveBeenLastCalledWith({ headers, url: url("globex"), params: { tenant: "globex" } });
  });

  it("async lookups, rotation lists and unknown tenants (nothing returned: refused, not a crash)", async () => {
    const scheme = schemes.stripe({
      secret: async ({ params }) =>
        params.tenant === "acme" ? ["whsec_new", { id: "old", value: "whsec_old" }] : (undefined as never),
    });
    const rawBody = json({ id: "evt_1", type: "invoice.paid" });
    const headers = await schemes.stripe({ secret: "whsec_old" }).sign({ rawBody });
    await expect(verify(scheme, { headers, rawBody, params: { tenant: "acme" } })).resolves.toMatchObject({
      matchedSecret: { index: 1, id: "old" },
    });
    await expectCode(
      verify(scheme, { headers, rawBody, params: { tenant: "nobody" } }),
      "signature_mismatch",
      401,
    );
    await expectCode(verify(scheme, { headers, rawBody }), "signature_mismatch", 401);
  });

  it("a malformed request is refused before the lookup runs", async () => {
    const lookup = vi.fn(() => "whsec_x");
    const scheme = schemes.stripe({ secret: lookup });
    await expectCode(verify(scheme, { headers: {}, rawBody: "{}" }), "missing_signature", 400);
    await expectCode(
      verify(scheme, { headers: { "stripe-signature": "t=1,v1=00" }, rawBody: "{}" }, { now: new Date() }),
      "timestamp_too_old",
      401,
    );
    expect(lookup).not.toHaveBeenCalled();
  });

  it("a secret the lookup returns is checked like a configured one", async () => {
    const scheme = schemes.standardWebhooks({ secret: () => "whsec_" });
    const rawBody = json({ type: "t" });
    const headers = await schemes
      .standardWebhooks({ secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" })
      .sign({ rawBody });
    await expectCode(verify(scheme, { headers, rawBody }), "invalid_secret", 500);
  });

  it("signing asks the function for the URL's secret", async () => {
    const scheme = schemes.github({ secret: ({ url }) => (url?.endsWith("/acme") ? "acme-secret" : []) });
    const rawBody = json({ zen: "z" });
    const headers = await scheme.sign({ rawBody, url: url("acme"), id: "d", type: "ping" });
    await expect(
      verify(schemes.github({ secret: "acme-secret" }), { headers, rawBody }),
    ).resolves.toBeDefined();
    await expectCode(scheme.sign({ rawBody, url: url("globex"), type: "ping" }), "invalid_secret", 500);
  });
});

describe("cachedSecrets", () => {
  const request = (tenant: string): SecretRequest => ({
    headers: {},
    url: `/webhooks/${tenant}?x=1`,
    params: { tenant },
  });

  it("calls the lookup once per key within ttlMs, sharing one call between concurrent requests", async () => {
    let calls = 0;
    const cached = cachedSecrets(
      async ({ params }) => {
        calls++;
        return `${params.tenant}-secret`;
      },
      { ttlMs: 60_000 },
    );
    const [a, b] = await Promise.all([cached(request("acme")), cached(request("acme"))]);
    expect([a, b, await cached(request("acme"))]).toEqual(["acme-secret", "acme-secret", "acme-secret"]);
    expect(calls).toBe(1);
    await cached(request("globex"));
    expect(calls).toBe(2);
  });

  it("expires entries, forgets failures and stays within max", async () => {
    vi.useFakeTimers();
    try {
      let calls = 0;
      let fail = true;
      const cached = cachedSecrets(
        async () => {
          calls++;
          if (fail) throw new Error("db down");
          return "s";
        },
        { ttlMs: 1000, max: 2 },
      );
      await expect(cached(request("a"))).rejects.toThrow("db down");
      fail = false;
      await expect(cached(request("a"))).resolves.toBe("s");
      expect(calls).toBe(2);
      vi.advanceTimersByTime(1001);
      await cached(request("a"));
      expect(calls).toBe(3);
      await cached(request("b"));
      await cached(request("c")); // evicts a, the least recently used
      await cached(request("a"));
      expect(calls).toBe(6);
      await cached(request("c"));
      expect(calls).toBe(6);
    } finally {
      vi.useRealTimers();
    }
  });
});
