import {
  generateKeyPairSync,
  type KeyObject,
  sign as nodeSign,
  verify as nodeVerify,
  randomBytes,
  X509Certificate,
} from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { certificateSpki, forceWebCrypto } from "../internal/crypto.js";
import { verify } from "../verify.js";
import { awsSns, type SnsConfirmation } from "./aws-sns.js";

// DER building blocks, enough for a self-signed X.509 certificate (RFC 5280).
const tlv = (tag: number, ...parts: Uint8Array[]) => {
  const body = Buffer.concat(parts);
  const n = body.length;
  const length = n < 128 ? [n] : n < 256 ? [0x81, n] : [0x82, n >> 8, n & 255];
  return Buffer.concat([Buffer.from([tag, ...length]), body]);
};
const seq = (...parts: Uint8Array[]) => tlv(0x30, ...parts);
const SHA256_RSA = seq(Buffer.from("06092a864886f70d01010b0500", "hex"));
const name = seq(
  tlv(0x31, seq(Buffer.from("0603550403", "hex"), tlv(0x0c, Buffer.from("sns.us-east-1.amazonaws.com")))),
);

/** A self-signed certificate for a fresh RSA key: what SNS's SigningCertURL serves, made locally. */
function makeCertificate(): { pem: string; privateKey: KeyObject } {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const validity = seq(tlv(0x17, Buffer.from("250101000000Z")), tlv(0x17, Buffer.from("491231235959Z")));
  const tbs = seq(
    tlv(0xa0, Buffer.from("020102", "hex")),
    Buffer.from("020101", "hex"),
    SHA256_RSA,
    name,
    validity,
    name,
    publicKey.export({ type: "spki", format: "der" }),
  );
  const signature = nodeSign("sha256", tbs, privateKey);
  const der = seq(tbs, SHA256_RSA, tlv(0x03, Buffer.from([0]), signature));
  const pem = `-----BEGIN CERTIFICATE-----\n${der.toString("base64").replace(/(.{64})/g, "$1\n")}\n-----END CERTIFICATE-----\n`;
  return { pem, privateKey };
}

const TOPIC = "arn:aws:sns:us-east-1:123456789012:orders";
const CERT_URL =
  "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-6aad65c2f9911b05cd53efda11f913f9.pem";
const { pem, privateKey } = makeCertificate();
const privateKeyPem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
const other = makeCertificate();

type Fields = Record<string, string>;
function signedMessage(fields: Fields, version: "1" | "2" = "2", key = privateKey): string {
  const order =
    fields.Type === "Notification"
      ? ["Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"]
      : ["Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"];
  const canonical = order
    .filter((k) => fields[k] !== undefined)
    .map((k) => `${k}\n${fields[k]}\n`)
    .join("");
  const Signature = nodeSign(version === "1" ? "sha1" : "sha256", Buffer.from(canonical), key).toString(
    "base64",
  );
  return JSON.stringify({ ...fields, SignatureVersion: version, Signature, SigningCertURL: CERT_URL });
}
const notification = (overrides: Fields = {}): Fields => ({
  Type: "Notification",
  MessageId: "22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324",
  TopicArn: TOPIC,
  Subject: "Order placed",
  Message: '{"orderId":42}',
  Timestamp: new Date().toISOString(),
  UnsubscribeURL: "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe",
  ...overrides,
});

describe("certificateSpki", () => {
  it("reads the public key of a certificate as node:crypto's X509Certificate does", () => {
    const der = Buffer.from(pem.replace(/-----[A-Z ]+-----|\s/g, ""), "base64");
    const expected = new X509Certificate(pem).publicKey.export({ type: "spki", format: "der" });
    expect(Buffer.from(certificateSpki(der)!)).toEqual(expected);
    expect(certificateSpki(der.subarray(0, 40))).toBeUndefined();
  });
});

describe.each([
  ["node:crypto", false],
  ["Web Crypto", true],
])("awsSns with %s", (_backend, web) => {
  beforeAll(() => forceWebCrypto(web));
  afterAll(() => forceWebCrypto(false));

  const setup = (extra: Partial<Parameters<typeof awsSns>[0]> = {}) => {
    const fetchCertificate = vi.fn(async (_url: string) => pem);
    return { scheme: awsSns({ topicArn: TOPIC, fetchCertificate, ...extra }), fetchCertificate };
  };

  it("refuses a parsed body as raw_body_required, with the body-parser hint", async () => {
    const { scheme } = setup();
    const parsed = verify(scheme, { headers: {}, rawBody: notification() as never });
    await expect(parsed).rejects.toMatchObject({ code: "raw_body_required", status: 500 });
    await expect(parsed).rejects.toThrow(/express\.json\(\)/);
  });

  it("verifies SignatureVersion 2 and 1 notifications, fetching the certificate once", async () => {
    const { scheme, fetchCertificate } = setup();
    for (const version of ["2", "1"] as const) {
      const rawBody = signedMessage(notification(), version);
      const delivery = await verify(scheme, {
        headers: { "content-type": "text/plain; charset=UTF-8" },
        rawBody,
      });
      expect(delivery).toMatchObject({
        id: "22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324",
        type: "Notification",
        scheme: "aws-sns",
      });
      expect((delivery.payload as { Message: string }).Message).toBe('{"orderId":42}');
    }
    // A notification without a Subject signs without the Subject line.
    await expect(
      verify(scheme, { headers: {}, rawBody: signedMessage(notification({ Subject: undefined as never })) }),
    ).resolves.toBeDefined();
    expect(fetchCertificate).toHaveBeenCalledTimes(1);
    expect(fetchCertificate).toHaveBeenCalledWith(CERT_URL, { signal: expect.any(AbortSignal) });
  });

  it("refuses an altered message, another key, another topic and a stale timestamp", async () => {
    const { scheme } = setup();
    const body = signedMessage(notification());
    const expectCode = (rawBody: string, code: string) =>
      expect(verify(scheme, { headers: {}, rawBody })).rejects.toMatchObject({ code });
    await expectCode(body.replace('{\\"orderId\\":42}', '{\\"orderId\\":43}'), "signature_mismatch");
    await expectCode(signedMessage(notification(), "2", other.privateKey), "signature_mismatch");
    await expectCode(
      signedMessage(notification({ TopicArn: "arn:aws:sns:us-east-1:999999999999:evil" })),
      "signature_mismatch",
    );
    await expectCode(
      signedMessage(notification({ Timestamp: new Date(Date.now() - 3_600_000).toISOString() })),
      "timestamp_too_old",
    );
    await expectCode(JSON.stringify(notification()), "missing_signature");
  });

  it("fetches certificates only from an SNS host over https", async () => {
    const { scheme, fetchCertificate } = setup();
    for (const url of [
      "http://sns.us-east-1.amazonaws.com/cert.pem",
      "https://sns.us-east-1.amazonaws.com.evil.example/cert.pem",
      "https://evil.example/sns.us-east-1.amazonaws.com/cert.pem",
      "https://sns.us-east-1.amazonaws.com:8443/cert.pem",
      "https://sns.us-east-1.amazonaws.com/cert.txt",
    ]) {
      const rawBody = signedMessage(notification()).replace(CERT_URL, url);
      await expect(verify(scheme, { headers: {}, rawBody })).rejects.toMatchObject({
        code: "signature_mismatch",
      });
    }
    expect(fetchCertificate).not.toHaveBeenCalled();
  });

  it("issue 18 hole 13: a certificate that cannot be had is a 401, remembered; a transient failure a 503 for 30 s", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    try {
      const fetchCertificate = vi
        .fn<(url: string) => Promise<string>>()
        .mockRejectedValueOnce(new Error("HTTP 404"))
        .mockRejectedValueOnce(Object.assign(new Error("HTTP 503"), { transient: true }))
        .mockResolvedValue(pem);
      const scheme = awsSns({ topicArn: [TOPIC], fetchCertificate });
      const rawBody = signedMessage(notification());
      const other = rawBody.replace(CERT_URL, CERT_URL.replace(".pem", "0.pem"));
      // A final failure: 401, and the same URL is not fetched again for 10 minutes.
      for (let i = 0; i < 2; i++) {
        await expect(verify(scheme, { headers: {}, rawBody })).rejects.toMatchObject({
          code: "signature_mismatch",
          status: 401,
        });
      }
      expect(fetchCertificate).toHaveBeenCalledTimes(1);
      // A transient one (the fetcher says so): 503 (answered with Retry-After), remembered for 30 s.
      for (let i = 0; i < 2; i++) {
        await expect(verify(scheme, { headers: {}, rawBody: other })).rejects.toMatchObject({
          code: "internal_error",
          status: 503,
        });
      }
      expect(fetchCertificate).toHaveBeenCalledTimes(2);
      vi.setSystemTime(Date.now() + 31_000);
      await expect(verify(scheme, { headers: {}, rawBody: other })).resolves.toBeDefined();
      expect(fetchCertificate).toHaveBeenCalledTimes(3);
      vi.setSystemTime(Date.now() + 600_000);
      const fresh = signedMessage(notification());
      await expect(verify(scheme, { headers: {}, rawBody: fresh })).resolves.toBeDefined();
      expect(fetchCertificate).toHaveBeenCalledTimes(4);
    } finally {
      vi.useRealTimers();
    }
  });

  it("issue 18 hole 15: at most 10 new certificate URLs are fetched a minute, each once at a time; a proven one stays", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    try {
      const { scheme, fetchCertificate } = setup();
      const genuine = () => signedMessage(notification());
      await verify(scheme, { headers: {}, rawBody: genuine() });
      // Unsigned: a random Signature, and a new certificate URL of the sender's choosing.
      const forged = (i: number) =>
        JSON.stringify({
          ...(JSON.parse(genuine()) as Fields),
          Signature: randomBytes(256).toString("base64"),
          SigningCertURL: CERT_URL.replace(".pem", `-${i}.pem`),
        });
      const answers = await Promise.allSettled(
        Array.from({ length: 40 }, (_, i) => verify(scheme, { headers: {}, rawBody: forged(i % 20) })),
      );
      expect(answers.every((a) => a.status === "rejected")).toBe(true);
      expect(answers.map((a) => (a as PromiseRejectedResult).reason.status)).toEqual(Array(40).fill(401));
      // 10 a minute, the genuine certificate's included; two requests for one URL share a fetch.
      expect(fetchCertificate).toHaveBeenCalledTimes(10);
      await verify(scheme, { headers: {}, rawBody: genuine() });
      expect(fetchCertificate).toHaveBeenCalledTimes(10);
      vi.setSystemTime(Date.now() + 61_000);
      await expect(verify(scheme, { headers: {}, rawBody: forged(19) })).rejects.toMatchObject({
        code: "signature_mismatch",
      });
      expect(fetchCertificate).toHaveBeenCalledTimes(11);
    } finally {
      vi.useRealTimers();
    }
  });

  it("issue 18 hole 6: a line break in any field but Message is refused before any fetch", async () => {
    const { scheme, fetchCertificate } = setup();
    const captured = JSON.parse(signedMessage(notification())) as Fields;
    const { Subject, ...rest } = captured;
    const moved = JSON.stringify({ ...rest, MessageId: `${captured.MessageId}\nSubject\n${Subject}` });
    await expect(verify(scheme, { headers: {}, rawBody: moved })).rejects.toMatchObject({
      code: "invalid_payload",
      message: expect.stringContaining("MessageId"),
    });
    for (const field of ["Subject", "Timestamp", "TopicArn"]) {
      const value = `${captured[field]}\r`;
      const body = JSON.stringify({ ...captured, [field]: value });
      await expect(verify(scheme, { headers: {}, rawBody: body })).rejects.toMatchObject({
        status: expect.any(Number),
      });
    }
    expect(fetchCertificate).not.toHaveBeenCalled();
    // Message itself may hold line breaks, as SNS sends them.
    const multiline = signedMessage(notification({ Message: "line 1\nline 2\r\n\ttab" }));
    await expect(verify(scheme, { headers: {}, rawBody: multiline })).resolves.toBeDefined();
  });

  it("reports a SubscriptionConfirmation and confirms it only when opted in", async () => {
    const confirmation = (): Fields => ({
      Type: "SubscriptionConfirmation",
      MessageId: "165545c9-2a5c-472c-8df2-7ff2be2b3b1b",
      Token:
        "2336412f37fb687f5d51e6e241d09c805a5a57b30d712f794cc5f6a988666d92768dd60a747ba6f3beb71854e285d6ad02428b09ceece29417f1f02d609c582afbacc99c583a916b9981dd2728f4ae6fdb82efd087cc3b7849e05798d2d2785c03b0879594eeac82c01f235d0e717736",
      TopicArn: TOPIC,
      Message: `You have chosen to subscribe to the topic ${TOPIC}.`,
      SubscribeURL: `https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=${TOPIC}&Token=2336`,
      Timestamp: new Date().toISOString(),
    });
    const reported: SnsConfirmation[] = [];
    const visit = vi.fn(async () => undefined);
    const passive = setup({ onSubscriptionConfirmation: (c) => reported.push(c), fetch: visit }).scheme;
    const delivery = await verify(passive, { headers: {}, rawBody: signedMessage(confirmation()) });
    expect(delivery.type).toBe("SubscriptionConfirmation");
    expect(passive.handshake!(delivery)).toEqual({ body: { confirmation: "SubscriptionConfirmation" } });
    expect(reported[0]).toMatchObject({
      topicArn: TOPIC,
      subscribeUrl: expect.stringContaining("Action=ConfirmSubscription"),
    });
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(visit).not.toHaveBeenCalled();

    const active = setup({ confirmSubscriptions: true, fetch: visit }).scheme;
    active.handshake!(await verify(active, { headers: {}, rawBody: signedMessage(confirmation()) }));
    await vi.waitFor(() =>
      expect(visit).toHaveBeenCalledWith(expect.stringContaining("Action=ConfirmSubscription")),
    );

    // A SubscribeURL off the SNS hosts is refused before anything visits it.
    const evil = signedMessage({ ...confirmation(), SubscribeURL: "https://evil.example/confirm" });
    await expect(verify(active, { headers: {}, rawBody: evil })).rejects.toMatchObject({
      code: "signature_mismatch",
    });
    expect(
      active.handshake!(await verify(active, { headers: {}, rawBody: signedMessage(notification()) })),
    ).toBeUndefined();
  });

  it("needs topicArn; has no header sign (the signature travels in the message)", () => {
    expect(() => awsSns({ topicArn: [] })).toThrow(/topicArn/);
    expect(setup().scheme.sign).toBeUndefined();
  });

  const signingKey = { privateKey: privateKeyPem, certificateUrl: CERT_URL };

  it.each(["2", "1"] as const)(
    "signRequest wraps the body in a SignatureVersion %s Notification that verifies",
    async (signatureVersion) => {
      const { scheme, fetchCertificate } = setup({ signingKey: { ...signingKey, signatureVersion } });
      const at = new Date("2026-03-01T12:00:00.000Z");
      const signed = await scheme.signRequest({ rawBody: '{"orderId":42}', id: "msg-1", timestamp: at });
      const message = JSON.parse(new TextDecoder().decode(signed.rawBody)) as Record<string, string>;
      expect(Object.keys(message)).toEqual([
        "Type",
        "MessageId",
        "TopicArn",
        "Message",
        "Timestamp",
        "SignatureVersion",
        "Signature",
        "SigningCertURL",
        "UnsubscribeURL",
      ]);
      expect(message).toMatchObject({
        Type: "Notification",
        MessageId: "msg-1",
        TopicArn: TOPIC,
        Message: '{"orderId":42}',
        Timestamp: "2026-03-01T12:00:00.000Z",
        SignatureVersion: signatureVersion,
        SigningCertURL: CERT_URL,
        UnsubscribeURL: expect.stringMatching(
          /^https:\/\/sns\.us-east-1\.amazonaws\.com\/\?Action=Unsubscribe&/,
        ),
      });
      expect(signed.headers).toMatchObject({
        "content-type": "text/plain; charset=UTF-8",
        "x-amz-sns-message-type": "Notification",
        "x-amz-sns-message-id": "msg-1",
        "x-amz-sns-topic-arn": TOPIC,
      });
      // Checked independently: the canonical string as AWS documents it, the certificate's key.
      const canonical = ["Message", "MessageId", "Timestamp", "TopicArn", "Type"]
        .map((k) => `${k}\n${message[k]}\n`)
        .join("");
      const publicKey = new X509Certificate(pem).publicKey;
      const hash = signatureVersion === "1" ? "sha1" : "sha256";
      expect(
        nodeVerify(hash, Buffer.from(canonical), publicKey, Buffer.from(message.Signature!, "base64")),
      ).toBe(true);
      const delivery = await verify(scheme, signedInput(signed), { now: at });
      expect(delivery).toMatchObject({ id: "msg-1", type: "Notification", timestamp: at });
      expect(fetchCertificate).toHaveBeenCalledWith(CERT_URL, { signal: expect.any(AbortSignal) });
    },
  );

  it("signRequest builds a SubscriptionConfirmation the receiver reports", async () => {
    const reported: SnsConfirmation[] = [];
    const { scheme } = setup({ signingKey, onSubscriptionConfirmation: (c) => reported.push(c) });
    const signed = await scheme.signRequest({ rawBody: "", type: "SubscriptionConfirmation" });
    const message = JSON.parse(new TextDecoder().decode(signed.rawBody)) as Record<string, string>;
    expect(message.Message).toBe(
      `You have chosen to subscribe to the topic ${TOPIC}.\nTo confirm the subscription, visit the SubscribeURL included in this message.`,
    );
    const delivery = await verify(scheme, signedInput(signed));
    expect(scheme.handshake!(delivery)).toEqual({ body: { confirmation: "SubscriptionConfirmation" } });
    expect(reported[0]).toMatchObject({
      topicArn: TOPIC,
      token: message.Token,
      subscribeUrl: `https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=${TOPIC}&Token=${message.Token}`,
    });
    await expect(scheme.signRequest({ rawBody: "", type: "order.created" })).rejects.toMatchObject({
      code: "invalid_option",
    });
  });

  it("signRequest with another key, or a tampered message, is refused", async () => {
    const { scheme } = setup({ signingKey });
    const forged = await scheme
      .withSigningKey(other.privateKey.export({ type: "pkcs8", format: "pem" }).toString())
      .signRequest({ rawBody: "hello" });
    await expect(verify(scheme, signedInput(forged))).rejects.toMatchObject({ code: "signature_mismatch" });
    const signed = await scheme.signRequest({ rawBody: "hello" });
    const tampered = new TextDecoder().decode(signed.rawBody).replace('"hello"', '"hellO"');
    await expect(verify(scheme, { headers: signed.headers, rawBody: tampered })).rejects.toMatchObject({
      code: "signature_mismatch",
    });
  });

  it("signRequest needs a signingKey with a certificate URL the receiver would fetch", async () => {
    await expect(setup().scheme.signRequest({ rawBody: "x" })).rejects.toMatchObject({
      code: "invalid_option",
      message: expect.stringContaining("signingKey"),
    });
    expect(() => setup().scheme.withSigningKey("pem")).toThrow(/certificateUrl/);
    for (const certificateUrl of [
      "https://evil.example/cert.pem",
      "http://sns.us-east-1.amazonaws.com/c.pem",
    ]) {
      await expect(
        setup({ signingKey: { ...signingKey, certificateUrl } }).scheme.signRequest({ rawBody: "x" }),
      ).rejects.toMatchObject({ code: "invalid_option", message: expect.stringContaining("certificateUrl") });
    }
    const pkcs1 = privateKey.export({ type: "pkcs1", format: "pem" }).toString();
    await expect(
      setup({ signingKey: { ...signingKey, privateKey: pkcs1 } }).scheme.signRequest({ rawBody: "x" }),
    ).rejects.toMatchObject({ code: "invalid_secret", message: expect.stringContaining("openssl pkcs8") });
  });
});

describe("awsSns's default certificate fetch", () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    vi.useRealTimers();
  });
  const scheme = () => awsSns({ topicArn: TOPIC });
  /** A global fetch that answers `respond()`, recording what it was asked. */
  function stubFetch(respond: (init: RequestInit) => Promise<Response> | Response) {
    const calls: { url: string; init: RequestInit }[] = [];
    vi.stubGlobal(
      "fetch",
      vi.fn(async (url: string, init: RequestInit) => {
        calls.push({ url, init });
        return respond(init);
      }),
    );
    return calls;
  }
  /** A large body, 1 KiB a pull, counting the pulls. */
  function endless() {
    const stream = { pulls: 0, body: undefined as unknown as ReadableStream<Uint8Array> };
    stream.body = new ReadableStream<Uint8Array>(
      {
        pull(controller) {
          stream.pulls++;
          // 4 MiB in all, so an unbounded reader ends too (and fails) rather than hang the suite.
          if (stream.pulls > 4096) controller.close();
          else controller.enqueue(new Uint8Array(1024).fill(65));
        },
      },
      { highWaterMark: 0 },
    );
    return stream;
  }

  it("fetches over https without following redirects, and verifies with what it read", async () => {
    const calls = stubFetch(() => new Response(pem, { status: 200 }));
    await expect(
      verify(scheme(), { headers: {}, rawBody: signedMessage(notification()) }),
    ).resolves.toBeDefined();
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ url: CERT_URL, init: { redirect: "manual" } });
  });

  it("issue 18 hole 14: a certificate fetch that does not answer is abandoned after 5 s (503, SNS retries)", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    let signal: AbortSignal | undefined;
    stubFetch(
      (init) =>
        new Promise((_, reject) => {
          signal = init.signal!;
          signal.addEventListener("abort", () => reject(signal!.reason));
        }),
    );
    const result = verify(scheme(), { headers: {}, rawBody: signedMessage(notification()) });
    const settled = result.then(
      () => "resolved",
      (error: { code: string; status: number }) => error,
    );
    await vi.advanceTimersByTimeAsync(5_000);
    await expect(settled).resolves.toMatchObject({ code: "internal_error", status: 503 });
    expect(signal?.aborted).toBe(true);
  });

  it("issue 18 hole 14: a certificate body is read to 16 KiB at most", async () => {
    const stream = endless();
    stubFetch(() => new Response(stream.body, { status: 200 }));
    await expect(
      verify(scheme(), { headers: {}, rawBody: signedMessage(notification()) }),
    ).rejects.toMatchObject({ code: "signature_mismatch", status: 401 });
    expect(stream.pulls).toBeLessThanOrEqual(20);

    const declared = endless();
    stubFetch(
      () => new Response(declared.body, { status: 200, headers: { "content-length": String(1 << 30) } }),
    );
    const other = signedMessage(notification()).replace(".pem", "1.pem");
    await expect(verify(scheme(), { headers: {}, rawBody: other })).rejects.toMatchObject({ status: 401 });
    expect(declared.pulls).toBe(0);
  });

  it("issue 18 hole 14: a redirect is refused (401), a 5xx is transient (503)", async () => {
    stubFetch(() => new Response(null, { status: 301, headers: { location: "https://evil.example/c.pem" } }));
    await expect(
      verify(scheme(), { headers: {}, rawBody: signedMessage(notification()) }),
    ).rejects.toMatchObject({ code: "signature_mismatch", status: 401 });
    stubFetch(() => new Response("busy", { status: 502 }));
    await expect(
      verify(scheme(), { headers: {}, rawBody: signedMessage(notification()) }),
    ).rejects.toMatchObject({ code: "internal_error", status: 503 });
    // A host that does not resolve is the sender's choice, not SNS having trouble: final.
    stubFetch(() => Promise.reject(new TypeError("fetch failed")));
    await expect(
      verify(scheme(), { headers: {}, rawBody: signedMessage(notification()) }),
    ).rejects.toMatchObject({ code: "signature_mismatch", status: 401 });
    stubFetch(() => new Response("missing", { status: 404 }));
    await expect(
      verify(scheme(), { headers: {}, rawBody: signedMessage(notification()) }),
    ).rejects.toMatchObject({ code: "signature_mismatch", status: 401 });
  });
});

function signedInput(signed: { headers: Record<string, string>; rawBody: Uint8Array }) {
  return { headers: signed.headers, rawBody: signed.rawBody };
}
