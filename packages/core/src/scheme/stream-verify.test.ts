import { describe, expect, it } from "vitest";
import { isWebhookError } from "../errors.js";
import { utf8 } from "../internal/bytes.js";
import { forceWebCrypto, generateEd25519 } from "../internal/crypto.js";
import { readBody } from "../internal/read-body.js";
import { utf8Key } from "../internal/secrets.js";
import { schemes } from "../schemes/index.js";
import type { Delivery, HeadersInput, Scheme, VerifyInput, VerifyOptions } from "../types.js";
import { defineScheme } from "./define-scheme.js";
import { engineOf } from "./engine.js";
import { type RequestHead, type StreamedDigests, streamsBody } from "./stream-verify.js";

/** How the receiver starts a request's body stream for `scheme` (its engine's `startStream`). */
const startStreaming = (scheme: Scheme, head: RequestHead, options: VerifyOptions) =>
  engineOf(scheme)?.startStream?.(head, options);

/** The receiver's verify of `scheme` with the streamed digests: the delivery, at once or later. */
function verifyNowOrLater(
  scheme: Scheme,
  input: VerifyInput,
  options: VerifyOptions,
  streamed?: StreamedDigests,
): Delivery | Promise<Delivery> {
  const verified = engineOf(scheme)!.verify(input, options, streamed);
  return verified instanceof Promise ? verified.then((v) => v.delivery) : verified.delivery;
}

// The streaming engine: HMACs started from a request's head, fed chunk by chunk, finished at the
// last byte, and used by verify only where they cover exactly its signed content. The property
// over every scheme, body and chunking is test/property/stream-verify.property.test.ts.
const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const OTHER = "whsec_8e5X0bYqj1Sxg9pnvYtZDw3RL0zUq3Lh";
const URL = "https://hooks.example.com/in";
const body = utf8(JSON.stringify({ id: "evt_1", type: "thing.happened", pad: "x".repeat(5000) }));
const options = { tolerance: 300, now: new Date() };

function head(headers: HeadersInput): RequestHead {
  return { headers, url: URL, method: "POST" };
}

/** Streams `bytes` in pieces of `size`, then verifies through the receiver's entry with the result. */
function streamed(scheme: Scheme, headers: HeadersInput, bytes: Uint8Array, size = 777) {
  const stream = startStreaming(scheme, head(headers), options);
  if (!stream) return { stream };
  for (let at = 0; at < bytes.length; at += size) stream.update(bytes.subarray(at, at + size));
  const digests = stream.finish(bytes);
  return {
    stream,
    digests,
    run: () => verifyNowOrLater(scheme, { ...head(headers), rawBody: bytes }, options, digests),
  };
}

async function outcome(
  run: () => Delivery | Promise<Delivery>,
): Promise<{ id: string; index: number } | { code: string }> {
  try {
    const delivery = await run();
    return { id: delivery.id, index: delivery.matchedSecret.index };
  } catch (error) {
    if (isWebhookError(error)) return { code: error.code };
    throw error;
  }
}

describe("streaming verification engine", () => {
  it("verifies a body fed in chunks, with the same delivery as the buffered verify", async () => {
    for (const scheme of [
      schemes.standardWebhooks({ secret: SECRET }),
      schemes.stripe({ secret: SECRET }),
      schemes.github({ secret: SECRET }),
      schemes.slack({ secret: SECRET }),
    ]) {
      const headers = await scheme.sign!({ rawBody: body, id: "msg_1", url: URL });
      const { digests, run } = streamed(scheme, headers, body);
      expect(digests?.digests.length, scheme.name).toBe(1);
      expect(await outcome(run!)).toEqual(
        await outcome(() => scheme.verify({ ...head(headers), rawBody: body }, options)),
      );
    }
  });

  it("covers a suffix after the body and the URL before it", async () => {
    const definition = {
      name: "acme",
      signatures: [
        {
          header: "x-sig",
          format: { type: "plain" as const },
          algorithm: "sha512" as const,
          encoding: "hex" as const,
        },
      ],
      timestamp: { header: "x-ts", unit: "s" as const },
      content: "{url}|{timestamp}|{body}|end",
      key: utf8Key,
    };
    const scheme = defineScheme(definition, { secret: "acme_secret_0123456789" });
    const headers = await scheme.sign({ rawBody: body, url: URL });
    const { digests, run } = streamed(scheme, headers, body, 333);
    expect(digests?.suffix).toBe("|end");
    expect(await outcome(run!)).toMatchObject({ index: 0 });
    // Another URL changes the prefix: refused, as buffered.
    const moved = startStreaming(scheme, { ...head(headers), url: `${URL}/x` }, options)!;
    moved.update(body);
    const other = moved.finish(body);
    const input = { ...head(headers), url: `${URL}/x`, rawBody: body };
    expect(await outcome(() => verifyNowOrLater(scheme, input, options, other))).toEqual({
      code: "signature_mismatch",
    });
    // Digests streamed for one URL are not used for another: verify hashes (and accepts) the genuine one.
    expect(
      await outcome(() => verifyNowOrLater(scheme, { ...head(headers), rawBody: body }, options, other)),
    ).toMatchObject({
      index: 0,
    });
  });

  it("uses the streamed digest instead of hashing the body again", async () => {
    const scheme = schemes.stripe({ secret: SECRET });
    const headers = await scheme.sign({ rawBody: body });
    const stream = startStreaming(scheme, head(headers), options)!;
    // Fed other bytes of the same length: verify trusts what was streamed, so the genuine body fails.
    const other = body.slice();
    other[10] = other[10]! ^ 1;
    stream.update(other);
    const digests = stream.finish(body);
    expect(
      await outcome(() => verifyNowOrLater(scheme, { ...head(headers), rawBody: body }, options, digests)),
    ).toEqual({
      code: "signature_mismatch",
    });
  });

  it("refuses a tampered last chunk with the buffered code", async () => {
    const scheme = schemes.standardWebhooks({ secret: SECRET });
    const headers = await scheme.sign({ rawBody: body, id: "msg_1" });
    const tampered = body.slice();
    tampered[tampered.length - 2] = tampered[tampered.length - 2]! ^ 1;
    const { run } = streamed(scheme, headers, tampered, 1000);
    expect(await outcome(run!)).toEqual({ code: "signature_mismatch" });
    expect(await outcome(() => scheme.verify({ ...head(headers), rawBody: tampered }, options))).toEqual({
      code: "signature_mismatch",
    });
  });

  it("runs one HMAC per secret of a rotation, and matches the secret buffered verify matches", async () => {
    const scheme = schemes.standardWebhooks({ secret: [SECRET, OTHER] });
    for (const signer of [SECRET, OTHER]) {
      const headers = await schemes.standardWebhooks({ secret: signer }).sign({ rawBody: body, id: "msg_1" });
      const { digests, run } = streamed(scheme, headers, body);
      expect(digests?.digests.length).toBe(2);
      const result = await outcome(run!);
      expect(result).toEqual({ id: "msg_1", index: signer === SECRET ? 0 : 1 });
    }
    const wrong = await schemes
      .standardWebhooks({ secret: "whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" })
      .sign({ rawBody: body, id: "m" });
    expect(await outcome(streamed(scheme, wrong, body).run!)).toEqual({ code: "signature_mismatch" });
  });

  it("starts no HMAC for a request verify refuses from its head: it refuses after the body, as before", async () => {
    const scheme = schemes.stripe({ secret: SECRET });
    const headers = (await scheme.sign({ rawBody: body })) as Record<string, string>;
    const stale = { tolerance: 300, now: new Date(Date.now() + 3_600_000) };
    expect(startStreaming(scheme, head({}), options)).toBeUndefined();
    expect(startStreaming(scheme, head({ "stripe-signature": "t=1,v1=zz" }), options)).toBeUndefined();
    expect(startStreaming(scheme, head(headers), stale)).toBeUndefined();
    expect(startStreaming(scheme, head(headers), options)).toBeDefined();
  });

  it("falls back to hashing where what was fed is not the body given", async () => {
    const scheme = schemes.github({ secret: SECRET });
    const headers = await scheme.sign({ rawBody: body });
    const stream = startStreaming(scheme, head(headers), options)!;
    stream.update(body.subarray(0, 100));
    expect(stream.finish(body)).toBeUndefined();
    expect(stream.finish(body)).toBeUndefined();
    // A copy of the body (another array) is hashed by verify: the digest covers the array it was finished with.
    const again = startStreaming(scheme, head(headers), options)!;
    again.update(body);
    const digests = again.finish(body);
    const copy = body.slice();
    copy[0] = copy[0]! ^ 1;
    expect(
      await outcome(() => verifyNowOrLater(scheme, { ...head(headers), rawBody: copy }, options, digests)),
    ).toEqual({
      code: "signature_mismatch",
    });
  });

  it("qualifies schemes by their definition: prefix + {body} + suffix, HMAC, local static keys", async () => {
    expect(
      streamsBody({
        name: "a",
        key: () => ({ kind: "hmac", bytes: new Uint8Array(1) }),
        content: "{timestamp}.{body}",
        signatures: [{ header: "x", format: { type: "plain" }, algorithm: "sha256", encoding: "hex" }],
      }),
    ).toBe(true);
    const base = {
      name: "a",
      key: () => ({ kind: "hmac" as const, bytes: new Uint8Array(1) }),
      signatures: [
        {
          header: "x",
          format: { type: "plain" as const },
          algorithm: "sha256" as const,
          encoding: "hex" as const,
        },
      ],
    };
    expect(streamsBody({ ...base, content: "{body}{body}" })).toBe(false);
    expect(streamsBody({ ...base, content: "{id}|{crc32}" })).toBe(false);
    expect(streamsBody({ ...base, content: "{field:token}.{body}" })).toBe(false);
    expect(streamsBody({ ...base, content: () => [[body]] })).toBe(false);
    expect(streamsBody({ ...base, content: "{timestamp}" })).toBe(false);
    expect(
      streamsBody({
        ...base,
        content: "{body}",
        signatures: [{ ...base.signatures[0]!, algorithm: "ed25519" }],
      }),
    ).toBe(false);
    // HMAC beside Ed25519 (Standard Webhooks' v1 and v1a): the HMAC is streamed, Ed25519 left to verify.
    const mixed = [...base.signatures, { ...base.signatures[0]!, algorithm: "ed25519" as const }];
    expect(streamsBody({ ...base, content: "{body}", signatures: mixed })).toBe(true);
    // Per-request secrets, public keys: no stream.
    const perRequest = schemes.stripe({ secret: () => SECRET });
    const headers = await schemes.stripe({ secret: SECRET }).sign({ rawBody: body });
    expect(startStreaming(perRequest, head(headers), options)).toBeUndefined();
    const { seed, publicKey } = await generateEd25519();
    const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");
    const discord = schemes.discord({ publicKey: hex(publicKey), privateKey: hex(seed) });
    const signed = await discord.signRequest({ rawBody: body });
    expect(startStreaming(discord, head(signed.headers), options)).toBeUndefined();
  });

  it("starts none where only Web Crypto is present: verify hashes the whole body", async () => {
    const scheme = schemes.stripe({ secret: SECRET });
    const headers = await scheme.sign({ rawBody: body });
    forceWebCrypto(true);
    try {
      expect(startStreaming(scheme, head(headers), options)).toBeUndefined();
    } finally {
      forceWebCrypto(false);
    }
  });
});

describe("readBody feeding a stream", () => {
  async function* chunks(count: number, size: number, pulled: { n: number }) {
    for (let i = 0; i < count; i++) {
      pulled.n++;
      yield new Uint8Array(size).fill(i % 251);
    }
  }

  it("feeds every byte it keeps, in order", async () => {
    const fed: Uint8Array[] = [];
    const pulled = { n: 0 };
    const bytes = (await readBody(chunks(10, 1000, pulled), 1 << 20, 5000, (c) => fed.push(c))) as Uint8Array;
    expect(Buffer.concat(fed).equals(Buffer.from(bytes))).toBe(true);
  });

  it("stops reading and feeding at maxBodyBytes", async () => {
    let fedBytes = 0;
    const pulled = { n: 0 };
    await expect(
      readBody(chunks(100, 1000, pulled), 4500, 5000, (c) => (fedBytes += c.byteLength)),
    ).rejects.toMatchObject({
      code: "body_too_large",
    });
    expect(fedBytes).toBe(4000);
    expect(pulled.n).toBe(5);
  });

  it("feeds a declared-length body chunk by chunk, or whole where the reader reads it whole", async () => {
    const seen: number[] = [];
    const reader = (onChunk?: (chunk: Uint8Array) => void) => {
      onChunk?.(new Uint8Array(3));
      onChunk?.(new Uint8Array(4));
      return Promise.resolve(new Uint8Array(7));
    };
    await readBody(reader, 100, 5000, (c) => seen.push(c.byteLength));
    expect(seen).toEqual([3, 4]);
    seen.length = 0;
    await readBody(
      () => Promise.resolve(new Uint8Array(7)),
      100,
      5000,
      (c) => seen.push(c.byteLength),
    );
    expect(seen).toEqual([7]);
    seen.length = 0;
    await expect(readBody(reader, 5, 5000, (c) => seen.push(c.byteLength))).rejects.toMatchObject({
      code: "body_too_large",
    });
    expect(seen).toEqual([3]);
  });
});
