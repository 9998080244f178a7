import { type Delivery, isWebhookError, type VerifyInput } from "@hookgate/core";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { build, type Genuine, genuineDeliveries, type Hostile, hostileRequest } from "./genuine.js";

// `scheme.verifySync` against `scheme.verify`, for every scheme in the registry where it applies
// (static secrets, node:crypto): on genuine, edited, random and forged requests both give the
// same delivery or refuse with the same code.
const RUNS = process.env.CI ? 10_000 : Number(process.env.HOOKGATE_PROPERTY_RUNS ?? 1_500);
const TOLERANCE = 300;
const signedAt = new Date(Math.floor(Date.now() / 1000) * 1000);
const verifyOptions = { now: signedAt, tolerance: TOLERANCE };
const SEED = process.env.HOOKGATE_PROPERTY_SEED ? Number(process.env.HOOKGATE_PROPERTY_SEED) : undefined;
const options = () => ({ numRuns: RUNS, endOnFailure: true, ...(SEED === undefined ? {} : { seed: SEED }) });

type Outcome = { delivery: Delivery } | { code: string };

function outcome(run: () => Delivery): Outcome {
  try {
    return { delivery: run() };
  } catch (error) {
    if (!isWebhookError(error)) throw error;
    return { code: error.code };
  }
}

async function outcomeLater(run: () => Promise<Delivery>): Promise<Outcome> {
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

let targets: Genuine[] = [];
let arbitrary: fc.Arbitrary<Hostile>;

beforeAll(async () => {
  targets = await genuineDeliveries(signedAt);
  arbitrary = hostileRequest(targets.length);
});

const inputOf = (genuine: Genuine): VerifyInput => ({
  headers: genuine.headers,
  rawBody: genuine.body,
  url: genuine.url,
  method: "POST",
});

describe("property: verifySync agrees with verify", () => {
  it("applies to every scheme of the registry built from a static secret on Node, and verifies its genuine delivery", async () => {
    expect(targets.length).toBeGreaterThanOrEqual(10);
    const refused = targets.filter((genuine) => {
      const result = outcome(() => genuine.scheme.verifySync(inputOf(genuine), verifyOptions));
      return "code" in result;
    });
    // Only a key fetched per request (a certificate the request names) rules it out on Node.
    expect(refused.map((genuine) => genuine.name)).toEqual(
      targets.filter((genuine) => genuine.scheme.facts.certificate).map((genuine) => genuine.name),
    );
    for (const genuine of targets.filter((each) => !refused.includes(each))) {
      const input = inputOf(genuine);
      expect(visible(outcome(() => genuine.scheme.verifySync(input, verifyOptions))), genuine.name).toEqual(
        visible(await outcomeLater(() => genuine.scheme.verify(input, verifyOptions))),
      );
    }
  });

  it(`same delivery or same error code on genuine, tampered, random and forged requests (${RUNS} runs)`, async () => {
    const applies = targets.map(
      (genuine) => !("code" in outcome(() => genuine.scheme.verifySync(inputOf(genuine), verifyOptions))),
    );
    await fc.assert(
      fc.asyncProperty(arbitrary, async (hostile) => {
        if (!applies[hostile.scheme]) return;
        const genuine = targets[hostile.scheme]!;
        const { input } = await build(genuine, hostile);
        const request: VerifyInput = {
          headers: input.headers,
          rawBody: input.rawBody,
          url: input.url,
          method: input.method,
        };
        const now = outcome(() => genuine.scheme.verifySync(request, verifyOptions));
        const later = await outcomeLater(() => genuine.scheme.verify(request, verifyOptions));
        expect(visible(now), genuine.name).toEqual(visible(later));
      }),
      options(),
    );
  });
});
