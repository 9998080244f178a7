import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
// A self-signed test certificate, made as the test kit makes it (core's tests cannot import the kit).
import { snsSigningKey } from "../../../testing/src/sns-signing-key.js";
import { isWebhookError, type WebhookError } from "../errors.js";
import { rsaPrivateKeyPem, utf8Key } from "../internal/secrets.js";
import { schemes } from "../schemes/index.js";
import { verify } from "../verify.js";
import { defineScheme } from "./define-scheme.js";

const expectCode = (promise: Promise<unknown>, code: string, status: number) =>
  expect(promise).rejects.toMatchObject({ code, status });

async function rejection(promise: Promise<unknown>): Promise<WebhookError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isWebhookError(error)) throw new Error(`expected a WebhookError, got ${String(error)}`);
  return error;
}

const stripe = schemes.stripe({ secret: "whsec_robust" });
const github = schemes.github({ secret: "gh" });
const standard = schemes.standardWebhooks({ secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" });
const body = JSON.stringify({ id: "evt_1", type: "charge.succeeded" });

describe("headers as senders and proxies deliver them", () => {
  it("reads a Web Headers object and any header-name case", async () => {
    const signed = await stripe.sign({ rawBody: body });
    await expect(verify(stripe, { headers: new Headers(signed), rawBody: body })).resolves.toMatchObject({
      id: "evt_1",
    });
    const upper = { "Stripe-Signature": signed["stripe-signature"]! };
    await expect(verify(stripe, { headers: upper, rawBody: body })).resolves.toMatchObject({ id: "evt_1" });
  });

  it("accepts a signature header repeated (Node string[]) or joined by a proxy with ', '", async () => {
    const signed = await github.sign({ rawBody: body, id: "d", type: "push" });
    const sig = signed["x-hub-signature-256"]!;
    const stale = `sha256=${"0".repeat(64)}`;
    await expect(
      verify(github, {
        headers: { "x-github-event": "push", "x-hub-signature-256": [stale, sig] },
        rawBody: body,
      }),
    ).resolves.toBeTruthy();
    await expect(
      verify(github, {
        headers: { "x-github-event": "push", "x-hub-signature-256": `${stale}, ${sig}` },
        rawBody: body,
      }),
    ).resolves.toBeTruthy();
    const web = new Headers({ "x-github-event": "push" });
    web.append("x-hub-signature-256", stale);
    web.append("x-hub-signature-256", sig);
    await expect(verify(github, { headers: web, rawBody: body })).resolves.toBeTruthy();
  });

  it("accepts a Standard Webhooks signature list joined by a proxy", async () => {
    const signed = await standard.sign({ rawBody: body, id: "msg_1" });
    const headers = {
      ...signed,
      "webhook-signature": `v1,${"A".repeat(43)}=, ${signed["webhook-signature"]}`,
    };
    await expect(verify(standard, { headers, rawBody: body })).resolves.toMatchObject({ id: "msg_1" });
  });

  it("accepts a timestamp header repeated with the same value, refuses two different ones", async () => {
    const signed = await standard.sign({ rawBody: body, id: "msg_1" });
    const ts = signed["webhook-timestamp"]!;
    await expect(
      verify(standard, { headers: { ...signed, "webhook-timestamp": [ts, ts] }, rawBody: body }),
    ).resolves.toBeTruthy();
    await expectCode(
      verify(standard, {
        headers: { ...signed, "webhook-timestamp": [ts, String(Number(ts) - 1)] },
        rawBody: body,
      }),
      "malformed_timestamp",
      400,
    );
  });

  it("refuses a Stripe header with two different timestamps", async () => {
    const a = await stripe.sign({ rawBody: body, timestamp: new Date(Date.now() - 1000) });
    const b = await stripe.sign({ rawBody: body });
    await expectCode(
      verify(stripe, {
        headers: { "stripe-signature": [a["stripe-signature"]!, b["stripe-signature"]!] },
        rawBody: body,
      }),
      "malformed_timestamp",
      400,
    );
  });

  it.each([
    ["non-numeric", "abc"],
    ["decimal", "1700000000.5"],
    ["negative", "-1700000000"],
    ["huge", "9".repeat(30)],
    ["empty", ""],
  ])("refuses a %s timestamp with malformed_timestamp", async (_, ts) => {
    const signed = await standard.sign({ rawBody: body, id: "msg_1" });
    await expectCode(
      verify(standard, { headers: { ...signed, "webhook-timestamp": ts }, rawBody: body }),
      "malformed_timestamp",
      400,
    );
  });

  it("treats a well-formed timestamp centuries ahead as in the future", async () => {
    const signed = await standard.sign({ rawBody: body, id: "msg_1", timestamp: new Date(8.64e15) });
    await expectCode(verify(standard, { headers: signed, rawBody: body }), "timestamp_in_future", 401);
  });

  it("refuses a missing timestamp header", async () => {
    const signed = await standard.sign({ rawBody: body, id: "msg_1" });
    delete signed["webhook-timestamp"];
    await expectCode(verify(standard, { headers: signed, rawBody: body }), "missing_header", 400);
  });

  it.each([
    ["wrong alphabet", `sha256=${"z".repeat(64)}`],
    ["too short", `sha256=${"a".repeat(62)}`],
    ["too long", `sha256=${"a".repeat(66)}`],
    ["odd length", `sha256=${"a".repeat(63)}`],
    ["no prefix", "a".repeat(64)],
    ["empty", ""],
  ])("refuses a GitHub signature that is %s with malformed_signature", async (_, value) => {
    await expectCode(
      verify(github, { headers: { "x-hub-signature-256": value }, rawBody: body }),
      "malformed_signature",
      400,
    );
  });

  it("refuses Stripe headers without t= or without any v1=", async () => {
    const t = Math.floor(Date.now() / 1000);
    await expectCode(
      verify(stripe, { headers: { "stripe-signature": `v1=${"a".repeat(64)}` }, rawBody: body }),
      "malformed_signature",
      400,
    );
    await expectCode(
      verify(stripe, { headers: { "stripe-signature": `t=${t},v0=${"a".repeat(64)}` }, rawBody: body }),
      "malformed_signature",
      400,
    );
  });

  it("ignores Stripe's v0 test signatures and extra fields next to a valid v1", async () => {
    const signed = await stripe.sign({ rawBody: body });
    const header = `${signed["stripe-signature"]},v0=${"b".repeat(64)},x=whatever`;
    await expect(
      verify(stripe, { headers: { "stripe-signature": header }, rawBody: body }),
    ).resolves.toBeTruthy();
  });
});

describe("bodies", () => {
  it("accepts a Buffer, a Uint8Array, an ArrayBuffer or a string with the same bytes", async () => {
    const headers = await stripe.sign({ rawBody: body });
    const bytes = new TextEncoder().encode(body);
    for (const rawBody of [Buffer.from(body), bytes, bytes.buffer, body]) {
      await expect(verify(stripe, { headers, rawBody: rawBody as Uint8Array })).resolves.toMatchObject({
        id: "evt_1",
      });
    }
  });

  it("verifies multi-byte UTF-8 and \\r\\n byte-exactly", async () => {
    const text = '{\r\n  "id": "evt_ü",\r\n  "type": "naïve.日本"\r\n}';
    const headers = await stripe.sign({ rawBody: text });
    await expect(verify(stripe, { headers, rawBody: Buffer.from(text) })).resolves.toMatchObject({
      type: "naïve.日本",
    });
    await expectCode(
      verify(stripe, { headers, rawBody: text.replace(/\r\n/g, "\n") }),
      "signature_mismatch",
      401,
    );
  });

  it("refuses an empty body, a non-UTF-8 body and a body that is not JSON, after the signature checks out", async () => {
    for (const rawBody of [
      new Uint8Array(0),
      new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]),
      new TextEncoder().encode("hello"),
    ]) {
      const headers = await stripe.sign({ rawBody });
      await expectCode(verify(stripe, { headers, rawBody }), "invalid_payload", 400);
    }
  });

  it("refuses a parsed object with a message that names the body-parser fix", async () => {
    const headers = await stripe.sign({ rawBody: body });
    const error = await rejection(verify(stripe, { headers, rawBody: JSON.parse(body) }));
    expect(error).toMatchObject({ code: "raw_body_required", status: 500 });
    expect(error.message).toMatch(/express\.json\(\)/);
    expect(error.message).toMatch(/^hookgate: /);
  });

  it("hints at re-serialized JSON when a string body does not match", async () => {
    const headers = await stripe.sign({ rawBody: JSON.stringify(JSON.parse(body), null, 2) });
    const error = await rejection(verify(stripe, { headers, rawBody: body }));
    expect(error.message).toMatch(/re-serialized/);
  });
});

describe("secrets", () => {
  it("tries every secret and names the one that matched (rotation)", async () => {
    const old = schemes.stripe({ secret: "whsec_old" });
    const both = schemes.stripe({
      secret: [
        { id: "2026-03", value: "whsec_new" },
        { id: "2025-09", value: "whsec_old" },
      ],
    });
    const headers = await old.sign({ rawBody: body });
    await expect(verify(both, { headers, rawBody: body })).resolves.toMatchObject({
      matchedSecret: { index: 1, id: "2025-09" },
    });
  });

  it("signs with the first secret", async () => {
    const rotating = schemes.github({ secret: ["new", "old"] });
    const headers = await rotating.sign({ rawBody: body, id: "d", type: "push" });
    await expect(verify(schemes.github({ secret: "new" }), { headers, rawBody: body })).resolves.toBeTruthy();
  });

  it("accepts a Standard Webhooks secret with or without whsec_", async () => {
    const bare = schemes.standardWebhooks({ secret: "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" });
    const headers = await standard.sign({ rawBody: body, id: "m" });
    await expect(verify(bare, { headers, rawBody: body })).resolves.toMatchObject({ id: "m" });
  });

  it.each([
    ["whitespace around it", () => schemes.stripe({ secret: "whsec_abc\n" }), /whitespace.*trim/],
    ["bytes", () => schemes.stripe({ secret: new Uint8Array([1, 2]) as unknown as string }), /secret string/],
    [
      "base64-decoded Stripe secret",
      () => schemes.stripe({ secret: atob("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw") }),
      /base64-decoded.*whsec_/,
    ],
    ["empty", () => schemes.github({ secret: "" }), /empty/],
    ["missing", () => schemes.github({} as { secret: string }), /needs `secret`/],
    ["an empty list", () => schemes.github({ secret: [] }), /empty `secret` list/],
    [
      "Standard Webhooks whsec_ without its base64 part",
      () => schemes.standardWebhooks({ secret: "whsec_" }),
      /base64 part.*missing/,
    ],
    [
      "Standard Webhooks secret that is not base64",
      () => schemes.standardWebhooks({ secret: "whsec_not base64!" }),
      /not base64/,
    ],
    ["a Discord key that is not hex", () => schemes.discord({ publicKey: "xyz" }), /not hex/],
    ["a Discord key of the wrong size", () => schemes.discord({ publicKey: "abcd" }), /32-byte/],
  ])("refuses a secret that is %s, naming the fix", (_, make, message) => {
    let error: unknown;
    try {
      make();
    } catch (e) {
      error = e;
    }
    expect(isWebhookError(error)).toBe(true);
    expect(error).toMatchObject({ code: "invalid_secret", status: 500 });
    expect((error as Error).message).toMatch(message);
  });

  it("hints that Stripe secrets are used whole when one lacks whsec_", async () => {
    const stripped = schemes.stripe({ secret: "robust" });
    const headers = await stripe.sign({ rawBody: body });
    const error = await rejection(verify(stripped, { headers, rawBody: body }));
    expect(error.message).toMatch(/start with whsec_ and are used whole/);
  });

  it("never echoes the secret or the expected signature in an error", async () => {
    const secret = "whsec_do-not-leak";
    const scheme = schemes.stripe({ secret });
    const t = Math.floor(Date.now() / 1000);
    const expected = createHmac("sha256", secret).update(`${t}.${body}`).digest("hex");
    const error = await rejection(
      verify(scheme, { headers: { "stripe-signature": `t=${t},v1=${"0".repeat(64)}` }, rawBody: body }),
    );
    const text = JSON.stringify(error.toJSON()) + error.message;
    expect(error).toMatchObject({ code: "signature_mismatch" });
    expect(text).not.toContain(expected);
    expect(text).not.toContain("do-not-leak");
  });
});

describe("defineScheme", () => {
  it("builds a working provider from a description alone", async () => {
    const acme = defineScheme(
      {
        name: "acme",
        signatures: [
          {
            header: "x-acme-signature",
            format: { type: "versioned", version: "s1" },
            algorithm: "sha512",
            encoding: "hex",
          },
        ],
        timestamp: { header: "x-acme-time", unit: "ms" },
        content: "acme|{id}|{timestamp}|{body}|end",
        key: utf8Key,
        id: { header: "x-acme-id" },
        type: { payload: "kind" },
      },
      { secret: "k" },
    );
    const rawBody = JSON.stringify({ kind: "thing.done" });
    const at = new Date();
    const headers = await acme.sign({ rawBody, id: "a1", timestamp: at });
    const expected = createHmac("sha512", "k").update(`acme|a1|${at.getTime()}|${rawBody}|end`).digest("hex");
    expect(headers["x-acme-signature"]).toBe(`s1,${expected}`);
    await expect(verify(acme, { headers, rawBody })).resolves.toMatchObject({
      id: "a1",
      type: "thing.done",
      scheme: "acme",
    });
  });
});

describe("scheme facts and header-borne types", () => {
  it("signs a header-borne type whole, cutting it only where the scheme appends an action (GitHub)", async () => {
    const acme = schemes.hmac({ header: "x-acme-signature", secret: "s", type: "x-event-type" });
    const headers = await acme.sign({ rawBody: "{}", type: "order.created" });
    expect(headers["x-event-type"]).toBe("order.created");
    await expect(verify(acme, { headers, rawBody: "{}" })).resolves.toMatchObject({ type: "order.created" });

    const github = schemes.github({ secret: "s" });
    const rawBody = JSON.stringify({ action: "opened" });
    const signed = await github.sign({ rawBody, type: "issues.opened", id: "d1" });
    expect(signed["x-github-event"]).toBe("issues");
    await expect(verify(github, { headers: signed, rawBody })).resolves.toMatchObject({
      type: "issues.opened",
    });
  });

  it("refuses a signed GitHub delivery without X-GitHub-Event (400), and names allowSha1 for a SHA-1-only one", async () => {
    const github = schemes.github({ secret: "s" });
    const { "x-github-event": _, ...headers } = await github.sign({ rawBody: "{}", type: "push", id: "d1" });
    await expect(verify(github, { headers, rawBody: "{}" })).rejects.toMatchObject({
      code: "missing_header",
      status: 400,
      message: expect.stringMatching(/X-Github-Event/i),
    });
    const legacy = await schemes
      .github({ secret: "s", allowSha1: true })
      .sign({ rawBody: "{}", type: "push" });
    const sha1Only = { "x-hub-signature": legacy["x-hub-signature"]!, "x-github-event": "push" };
    await expect(verify(github, { headers: sha1Only, rawBody: "{}" })).rejects.toMatchObject({
      code: "missing_signature",
      message: expect.stringContaining("allowSha1: true"),
    });
  });

  it("describes where each built-in scheme's id, type and timestamp live", () => {
    expect(schemes.stripe({ secret: "whsec_x" }).facts).toMatchObject({
      id: { payload: ["id"] },
      type: { payload: ["type"] },
      timestamp: { signature: true, unit: "s" },
      idSigned: true,
      signsUrl: false,
    });
    expect(schemes.github({ secret: "s" }).facts).toMatchObject({
      id: { header: "x-github-delivery" },
      type: { header: "x-github-event", action: "action" },
      idSigned: false,
    });
    expect(
      schemes.standardWebhooks({ secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" }).facts.idSigned,
    ).toBe(true);
    expect(schemes.linear({ secret: "s" }).facts.timestamp).toEqual({
      payload: "webhookTimestamp",
      unit: "ms",
    });
    expect(schemes.twilio({ secret: "s" }).facts.signsUrl).toBe(true);
  });
});

describe("signRequest on a header-signed scheme", () => {
  it("returns the headers sign makes and the body's exact bytes, which verify", async () => {
    const at = new Date(1_700_000_000_000);
    const bytes = new TextEncoder().encode(`${body}\n`);
    for (const [scheme, extra] of [
      [stripe, {}],
      [github, { id: "d1", type: "push" }],
      [standard, { id: "msg_1" }],
      [schemes.shopify({ secret: "shp" }), { id: "e1", type: "orders/create" }],
    ] as const) {
      const input = { rawBody: bytes, timestamp: at, ...extra };
      const signed = await scheme.signRequest(input);
      expect(signed.headers).toEqual(await scheme.sign(input));
      expect(signed.rawBody).toEqual(bytes);
      await expect(verify(scheme, signed, { now: at })).resolves.toBeDefined();
    }
    const text = await stripe.signRequest({ rawBody: body });
    expect(new TextDecoder().decode(text.rawBody)).toBe(body);
  });
});

describe("a signature carried in the body (bodySignature), from a description alone", () => {
  const acme = defineScheme(
    {
      name: "acme-body",
      bodySignature: {
        json: "auth",
        signature: "sig",
        fields: ["ts", "nonce"],
        id: "nonce",
        algorithm: "sha256",
        encoding: "base64",
      },
      timestamp: { field: "ts", unit: "s" },
      content: "{timestamp}:{field:nonce}",
      key: utf8Key,
      id: { payload: ["auth.nonce", "nonce"] },
      type: { payload: ["kind"] },
      contentTypes: ["application/json", "application/x-www-form-urlencoded"],
    },
    { secret: "body-secret" },
  );

  it("signs into a JSON object and a form, and verifies both; there is no header sign", async () => {
    expect(acme.sign).toBeUndefined();
    expect(acme.facts).toMatchObject({
      signatureHeaders: [],
      bodySigned: false,
      idSigned: true,
      keys: "secret",
    });
    const json = await acme.signRequest({ rawBody: JSON.stringify({ kind: "thing.done" }), id: "n-1" });
    const text = new TextDecoder().decode(json.rawBody);
    expect(JSON.parse(text)).toMatchObject({ auth: { nonce: "n-1" }, kind: "thing.done" });
    await expect(verify(acme, json)).resolves.toMatchObject({ id: "n-1", type: "thing.done" });
    const form = await acme.signRequest({ rawBody: "kind=thing.done", id: "n-2" });
    expect(form.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    await expect(verify(acme, form)).resolves.toMatchObject({ id: "n-2", type: "thing.done" });
  });

  it("refuses a template that signs {body}: the body holds the signature", () => {
    expect(() =>
      defineScheme(
        {
          name: "acme-body",
          bodySignature: { json: "", signature: "sig", fields: ["ts"], algorithm: "sha256", encoding: "hex" },
          content: "{field:ts}.{body}",
          key: utf8Key,
        },
        { secret: "s" },
      ),
    ).toThrow(/cannot sign \{body\}/);
  });

  it("refuses a body without the fields, a malformed signature, a stale timestamp and another key", async () => {
    await expectCode(verify(acme, { headers: {}, rawBody: '{"kind":"x"}' }), "missing_signature", 400);
    const bad = JSON.stringify({
      auth: { ts: String(Math.floor(Date.now() / 1000)), nonce: "n", sig: "!!" },
    });
    await expectCode(verify(acme, { headers: {}, rawBody: bad }), "malformed_signature", 400);
    const stale = await acme.signRequest({ rawBody: "{}", timestamp: new Date(Date.now() - 3_600_000) });
    await expectCode(verify(acme, stale), "timestamp_too_old", 401);
    const other = await acme.withSigningKey("other").signRequest({ rawBody: "{}" });
    await expectCode(verify(acme, other), "signature_mismatch", 401);
  });
});

describe("keys from a certificate the request names (certificate), from a description alone", () => {
  it("fetches only allowed URLs, verifies with the certificate's key, and signs with the private key", async () => {
    const key = await snsSigningKey();
    const url = "https://certs.acme.example/keys/k1.pem";
    const fetched: string[] = [];
    const scheme = defineScheme(
      {
        name: "acme-cert",
        signatures: [
          { header: "x-acme-sig", format: { type: "plain" }, algorithm: "rsa-sha256", encoding: "base64" },
        ],
        certificate: {
          header: "x-acme-cert",
          provider: "Acme",
          urlName: "X-Acme-Cert",
          host: /^certs\.acme\.example$/,
          path: /^\/keys\/[a-z0-9]+\.pem$/,
          form: "https://certs.acme.example/keys/<id>.pem",
          fetch: async (at) => {
            fetched.push(at);
            return key.certificate;
          },
        },
        content: "{id}.{body}",
        key: rsaPrivateKeyPem,
        id: { header: "x-acme-id" },
        signHeaders: () => ({ "x-acme-cert": url }),
      },
      { signingKey: key.privateKey.trim() },
    );
    expect(scheme.facts).toMatchObject({ keys: "public", algorithms: ["rsa-sha256"], idSigned: true });
    const signed = await scheme.signRequest({ rawBody: "{}", id: "d-1" });
    await expect(verify(scheme, signed)).resolves.toMatchObject({ id: "d-1" });
    await expect(verify(scheme, signed)).resolves.toMatchObject({ id: "d-1" });
    expect(fetched).toEqual([url]);
    const offHost = {
      ...signed,
      headers: { ...signed.headers, "x-acme-cert": "https://evil.example/keys/k1.pem" },
    };
    await expectCode(verify(scheme, offHost), "signature_mismatch", 401);
    const { "x-acme-cert": _, ...withoutCert } = signed.headers;
    const noCert = { ...signed, headers: withoutCert };
    await expectCode(verify(scheme, noCert), "missing_header", 400);
    expect(fetched).toEqual([url]);
  });
});

describe("a signed envelope (envelope), from a description alone", () => {
  const url = "https://certs.acme.example/keys/k1.pem";
  async function acmeEnvelope(options: { allow?: string[]; fetched?: string[] } = {}) {
    const key = await snsSigningKey();
    const scheme = defineScheme(
      {
        name: "acme-envelope",
        envelope: {
          message: "Body",
          type: "Kind",
          signed: {
            event: ["Kind", "Id", "Note?", "At", "Body"],
            ping: ["Kind", "Id", "At", "Body", "Visit"],
          },
          signature: "Sig",
          algorithm: { field: "Alg", values: { a: "rsa-sha1", b: "rsa-sha256" } },
          allow: { field: "Channel", values: options.allow ?? ["main"], option: "channels" },
          urls: ["Visit"],
          signing: { certificateUrl: url, algorithm: "b" },
          compose: ({ type, id, timestamp, message, certificateUrl }) => ({
            fields: {
              Kind: type,
              Id: id,
              Channel: "main",
              At: timestamp.toISOString(),
              Body: message,
              ...(type === "ping" ? { Visit: `${new URL(certificateUrl).origin}/visit` } : {}),
            },
            after: { Trailer: "t" },
            headers: { "content-type": "application/json" },
          }),
        },
        certificate: {
          field: "Cert",
          provider: "Acme",
          urlName: "Cert",
          host: /^certs\.acme\.example$/,
          path: /^\/keys\/[a-z0-9]+\.pem$/,
          form: "https://certs.acme.example/keys/<id>.pem",
          fetch: async (at) => {
            options.fetched?.push(at);
            return key.certificate;
          },
        },
        timestamp: { field: "At", unit: "iso" },
        key: rsaPrivateKeyPem,
        id: { payload: "Id" },
        type: { payload: "Kind" },
      },
      { signingKey: key.privateKey.trim() },
    );
    return { scheme, key };
  }
  const edit = (signed: { rawBody: Uint8Array }, change: (envelope: Record<string, string>) => void) => {
    const envelope = JSON.parse(new TextDecoder().decode(signed.rawBody)) as Record<string, string>;
    change(envelope);
    return { headers: {}, rawBody: JSON.stringify(envelope) };
  };

  it("signs the declared fields as Name\\nValue\\n lines, wraps the body, and verifies it", async () => {
    const fetched: string[] = [];
    const { scheme, key } = await acmeEnvelope({ fetched });
    expect(scheme.facts).toMatchObject({
      envelope: "Body",
      certificate: { field: "Cert" },
      bodySignature: { json: "", field: "Sig", each: false },
      algorithms: ["rsa-sha1", "rsa-sha256"],
      keys: "public",
      bodySigned: true,
      idSigned: true,
    });
    expect(scheme.sign).toBeUndefined();
    const at = new Date();
    const signed = await scheme.signRequest({ rawBody: "hello\nworld", id: "e-1", timestamp: at });
    const envelope = JSON.parse(new TextDecoder().decode(signed.rawBody)) as Record<string, string>;
    expect(Object.keys(envelope)).toEqual([
      "Kind",
      "Id",
      "Channel",
      "At",
      "Body",
      "Alg",
      "Sig",
      "Cert",
      "Trailer",
    ]);
    const { createVerify } = await import("node:crypto");
    const canonical = `Kind\nevent\nId\ne-1\nAt\n${at.toISOString()}\nBody\nhello\nworld\n`;
    // Checked independently: node:crypto over the lines the definition lists, with the certificate.
    expect(createVerify("sha256").update(canonical).verify(key.certificate, envelope.Sig!, "base64")).toBe(
      true,
    );
    const delivery = await verify(scheme, signed);
    expect(delivery).toMatchObject({ id: "e-1", type: "event", payload: { Body: "hello\nworld" } });
    expect(fetched).toEqual([url]);
    // The optional field is signed when present: adding it unsigned breaks the signature.
    await expectCode(
      verify(
        scheme,
        edit(signed, (e) => (e.Note = "n")),
      ),
      "signature_mismatch",
      401,
    );
    await expectCode(
      verify(
        scheme,
        edit(signed, (e) => (e.Body = "hellO\nworld")),
      ),
      "signature_mismatch",
      401,
    );
    // Unsigned fields (layout, trailer) may change.
    await expect(
      verify(
        scheme,
        edit(signed, (e) => (e.Trailer = "x")),
      ),
    ).resolves.toMatchObject({ id: "e-1" });
  });

  it("refuses before any fetch: unknown type or algorithm, off-list value, a line break, an off-host URL", async () => {
    const fetched: string[] = [];
    const { scheme } = await acmeEnvelope({ fetched });
    const signed = await scheme.signRequest({ rawBody: "x" });
    const ping = await scheme.signRequest({ rawBody: "x", type: "ping" });
    await expect(verify(scheme, ping)).resolves.toMatchObject({ type: "ping" });
    fetched.length = 0;
    await expectCode(
      verify(
        scheme,
        edit(signed, (e) => (e.Kind = "other")),
      ),
      "malformed_signature",
      400,
    );
    await expectCode(
      verify(
        scheme,
        edit(signed, (e) => (e.Alg = "c")),
      ),
      "malformed_signature",
      400,
    );
    await expectCode(
      verify(
        scheme,
        edit(signed, (e) => (e.Channel = "side")),
      ),
      "signature_mismatch",
      401,
    );
    await expectCode(
      verify(
        scheme,
        edit(signed, (e) => (e.Id = `${e.Id}\nNote\nn`)),
      ),
      "invalid_payload",
      400,
    );
    await expectCode(
      verify(
        scheme,
        edit(ping, (e) => (e.Visit = "https://evil.example/visit")),
      ),
      "signature_mismatch",
      401,
    );
    await expectCode(
      verify(
        scheme,
        edit(signed, (e) => (e.Cert = "https://evil.example/keys/k1.pem")),
      ),
      "signature_mismatch",
      401,
    );
    await expectCode(
      verify(
        scheme,
        edit(signed, (e) => delete e.Sig),
      ),
      "missing_signature",
      400,
    );
    expect(fetched).toEqual([]);
    await expect(scheme.signRequest({ rawBody: "x", type: "nope" })).rejects.toMatchObject({
      code: "invalid_option",
    });
  });

  it("is a definition error to give an envelope content, or no certificate field", async () => {
    const { scheme } = await acmeEnvelope();
    expect(() =>
      defineScheme(
        {
          name: "bad",
          content: "{body}",
          key: utf8Key,
          envelope: {
            message: "M",
            type: "T",
            signed: { a: ["M"] },
            signature: "S",
            algorithm: { field: "V", values: { "1": "rsa-sha1" } },
          },
        },
        {},
      ),
    ).toThrow(/envelope/);
    expect(scheme.name).toBe("acme-envelope");
  });
});
