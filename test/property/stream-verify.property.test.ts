import {
  type Delivery,
  isWebhookError,
  resolveSchemeKey,
  type Scheme,
  schemes,
  type VerifyInput,
  type VerifyOptions,
} from "@hookgate/core";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { engineOf } from "../../packages/core/src/scheme/engine.js";
import type { RequestHead, StreamedDigests } from "../../packages/core/src/scheme/stream-verify.js";
import {
  build,
  type Genuine,
  genuineDeliveries,
  type Hostile,
  hostileRequest,
  workingSecret,
} from "./genuine.js";

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

// Streaming verification against buffered `verify`, for every scheme of the registry: on genuine,
// edited, random and forged requests, cut into arbitrary chunks, and under a rotation of secrets,
// the HMACs fed chunk by chunk give the same delivery or the same error code as hashing the whole
// body. Which schemes stream is derived from their definitions (scheme/stream-verify.ts).
const RUNS = process.env.CI ? 5_000 : Number(process.env.HOOKGATE_PROPERTY_RUNS ?? 1_000);
const TOLERANCE = 300;
const signedAt = new Date(Math.floor(Date.now() / 1000) * 1000);
const verifyOptions = { now: signedAt, tolerance: TOLERANCE };
const SEED = process.env.HOOKGATE_PROPERTY_SEED ? Number(process.env.HOOKGATE_PROPERTY_SEED) : undefined;
const options = () => ({ numRuns: RUNS, endOnFailure: true, ...(SEED === undefined ? {} : { seed: SEED }) });

type Outcome = { delivery: Delivery } | { code: string };

async function outcome(run: () => Delivery | Promise<Delivery>): Promise<Outcome> {
  try {
    return { delivery: await run() };
  } catch (error) {
    if (!isWebhookError(error)) throw error;
    return { code: error.code };
  }
}

/** What a handler relies on: id, type, payload, bytes, timestamp, matched secret. */
function visible(result: Outcome) {
  if ("code" in result) return result;
  const { id, type, payload, rawBody, scheme, matchedSecret, timestamp } = result.delivery;
  return { id, type, payload, rawBody: [...rawBody], scheme, matchedSecret, timestamp: timestamp?.getTime() };
}

/** The body cut at `cuts` (positions modulo its length), fed in order, then verified with the digests. */
function streamed(scheme: Scheme, request: VerifyInput & { rawBody: Uint8Array }, cuts: number[]) {
  const { rawBody, ...head } = request;
  const stream = startStreaming(scheme, { ...head, method: head.method ?? "POST" }, verifyOptions);
  if (!stream) return undefined;
  const points = [...new Set(cuts.map((cut) => (rawBody.length === 0 ? 0 : cut % rawBody.length)))].sort(
    (a, b) => a - b,
  );
  let from = 0;
  for (const point of [...points, rawBody.length]) {
    stream.update(rawBody.subarray(from, point));
    from = point;
  }
  const digests = stream.finish(rawBody);
  expect(digests).toBeDefined();
  return () => verifyNowOrLater(scheme, request, verifyOptions, digests);
}

interface Target extends Genuine {
  /** The same scheme with a rotation: another secret first, the genuine one second. */
  rotated: Scheme | undefined;
}

let targets: Target[] = [];
let arbitrary: fc.Arbitrary<Hostile>;

beforeAll(async () => {
  const genuine = await genuineDeliveries(signedAt);
  targets = [];
  for (const each of genuine) {
    let rotated: Scheme | undefined;
    const key = resolveSchemeKey(each.name);
    const secret = each.secrets[0]!;
    if (key && each.name !== "discord") {
      try {
        const make = schemes[key] as (options: { secret: string[] }) => Scheme;
        rotated = make({ secret: [await workingSecret(each.name), secret] });
      } catch {
        rotated = undefined;
      }
    } else if (each.name === "hmac") {
      rotated = schemes.hmac({
        secret: ["hmac_other_secret_0123456789", secret],
        header: "x-acme-signature",
        prefix: "sha256=",
        timestampHeader: "x-acme-timestamp",
        id: "x-acme-delivery",
      });
    }
    targets.push({ ...each, rotated });
  }
  arbitrary = hostileRequest(targets.length);
});

const inputOf = (genuine: Genuine) => ({
  headers: genuine.headers,
  rawBody: genuine.body,
  url: genuine.url,
  method: "POST",
});

describe("property: streaming verification agrees with buffered verify", () => {
  it("streams the schemes that sign prefix + body with an HMAC, and no other", () => {
    const streaming = targets
      .filter((genuine) => streamed(genuine.scheme, inputOf(genuine), []) !== undefined)
      .map((genuine) => genuine.name);
    for (const name of ["standard-webhooks", "stripe", "github", "shopify", "slack", "hmac"]) {
      expect(streaming).toContain(name);
    }
    // Ed25519/ECDSA keys, a body-carried signature, signed content computed from the parsed form.
    for (const name of ["discord", "sendgrid", "mailgun", "twilio"]) expect(streaming).not.toContain(name);
    // Rotations exist for most schemes, and each verifies the genuine delivery with its second secret.
    expect(targets.filter((target) => target.rotated).length).toBeGreaterThanOrEqual(10);
  });

  it(`same delivery or same error code for every chunking, tampering, forgery and rotation (${RUNS} runs)`, async () => {
    const chunking = fc.array(fc.nat(), { maxLength: 12 });
    // Honest coverage: many runs stream, and some of those are accepted (rotation included).
    const seen = { streamed: 0, accepted: 0, rotatedAccepted: 0 };
    await fc.assert(
      fc.asyncProperty(arbitrary, chunking, fc.boolean(), async (hostile, cuts, rotate) => {
        const genuine = targets[hostile.scheme]!;
        const scheme = rotate && genuine.rotated ? genuine.rotated : genuine.scheme;
        const { input } = await build(genuine, hostile);
        const request = {
          headers: input.headers,
          rawBody: input.rawBody,
          url: input.url,
          method: input.method,
        };
        const run = streamed(scheme, request, cuts);
        if (!run) return;
        const buffered = await outcome(() => scheme.verify(request, verifyOptions));
        expect(visible(await outcome(run)), genuine.name).toEqual(visible(buffered));
        seen.streamed++;
        if ("delivery" in buffered) {
          seen.accepted++;
          if (scheme === genuine.rotated) seen.rotatedAccepted++;
        }
      }),
      options(),
    );
    expect(seen.streamed).toBeGreaterThan(RUNS / 10);
    expect(seen.accepted).toBeGreaterThan(0);
    expect(seen.rotatedAccepted).toBeGreaterThan(0);
  });

  it("same answer for large signed bodies of any content, cut anywhere, tampered at any byte or not", async () => {
    const streamingTargets = targets.filter(
      (genuine) => streamed(genuine.scheme, inputOf(genuine), []) !== undefined,
    );
    const seen = { accepted: 0, refused: 0 };
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: streamingTargets.length - 1 }),
        fc.jsonValue({ maxDepth: 3 }),
        fc.nat({ max: 96 * 1024 }),
        fc.array(fc.nat(), { maxLength: 40 }),
        fc.option(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 }))),
        fc.boolean(),
        async (i, value, padding, cuts, tamper, rotate) => {
          const genuine = streamingTargets[i]!;
          const scheme = rotate && genuine.rotated ? genuine.rotated : genuine.scheme;
          const base = JSON.parse(new TextDecoder().decode(genuine.body)) as Record<string, unknown>;
          const text = JSON.stringify({ ...base, value, padding: "p".repeat(padding) });
          const signed = await scheme.signRequest({
            rawBody: text,
            url: genuine.url,
            timestamp: genuine.signedAt,
            type: genuine.type,
            contentType: genuine.headers["content-type"],
          });
          const rawBody = new Uint8Array(
            typeof signed.rawBody === "string" ? Buffer.from(signed.rawBody) : signed.rawBody,
          );
          if (tamper) {
            const at = tamper[0] % rawBody.length;
            rawBody[at] = rawBody[at]! ^ tamper[1];
          }
          const request = { headers: signed.headers, rawBody, url: genuine.url, method: "POST" };
          const run = streamed(scheme, request, cuts);
          expect(run, genuine.name).toBeDefined();
          const buffered = await outcome(() => scheme.verify(request, verifyOptions));
          expect(visible(await outcome(run!)), genuine.name).toEqual(visible(buffered));
          if ("delivery" in buffered) seen.accepted++;
          else seen.refused++;
        },
      ),
      { ...options(), numRuns: Math.max(50, Math.floor(RUNS / 10)) },
    );
    expect(seen.accepted).toBeGreaterThan(0);
    expect(seen.refused).toBeGreaterThan(0);
  });

  it("verifies each genuine delivery under rotation, matching the second secret, in any chunking", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: targets.length - 1 }),
        fc.array(fc.nat(), { maxLength: 20 }),
        async (i, cuts) => {
          const genuine = targets[i]!;
          if (!genuine.rotated) return;
          const run = streamed(genuine.rotated, inputOf(genuine), cuts);
          if (!run) return;
          const result = await outcome(run);
          expect(result, genuine.name).toMatchObject({ delivery: { matchedSecret: { index: 1 } } });
        },
      ),
      options(),
    );
  });
});
