import {
  createReceiver,
  type HandleInput,
  type HandleResult,
  isWebhookError,
  type Receiver,
  verify,
} from "@hookgate/core";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import {
  build,
  type Genuine,
  genuineDeliveries,
  type Hostile,
  hostileRequest,
  type SpyStore,
  sameBytes,
  signatureTokens,
  spyStore,
} from "./genuine.js";

// Property suites over `verify` and `receiver.handle`, for every scheme in the registry: a hostile
// sender holding one genuine delivery per scheme edits its headers, body, URL and method, sends
// arbitrary requests, or signs with a wrong secret. CI runs 10,000 cases per property.
const RUNS = process.env.CI ? 10_000 : Number(process.env.HOOKGATE_PROPERTY_RUNS ?? 1_500);
const TOLERANCE = 300;
const signedAt = new Date(Math.floor(Date.now() / 1000) * 1000);

interface Target {
  genuine: Genuine;
  receiver: Receiver;
  store: SpyStore;
}
let targets: Target[] = [];
let arbitrary: fc.Arbitrary<Hostile>;

beforeAll(async () => {
  const deliveries = await genuineDeliveries(signedAt);
  targets = deliveries.map((genuine) => {
    const store = spyStore();
    const receiver = createReceiver({
      scheme: genuine.scheme,
      store,
      now: () => signedAt,
      tolerance: TOLERANCE,
    });
    receiver.onAny(() => {});
    return { genuine, receiver, store };
  });
  arbitrary = hostileRequest(targets.length);
});

async function run(
  hostile: Hostile,
): Promise<{ target: Target; input: HandleInput & { rawBody: Uint8Array }; answer: HandleResult }> {
  const target = targets[hostile.scheme]!;
  const { input } = await build(target.genuine, hostile);
  target.store.calls = 0;
  const answer = await target.receiver.handle(input);
  return { target, input, answer };
}

const verifies = (target: Target, input: HandleInput) =>
  verify(
    target.genuine.scheme,
    { headers: input.headers, rawBody: input.rawBody as Uint8Array, url: input.url, method: input.method },
    { now: signedAt, tolerance: TOLERANCE },
  ).then(
    () => true,
    () => false,
  );

// HOOKGATE_PROPERTY_SEED replays a failing run's seed (printed with its counterexample).
const SEED = process.env.HOOKGATE_PROPERTY_SEED ? Number(process.env.HOOKGATE_PROPERTY_SEED) : undefined;
const options = () => ({ numRuns: RUNS, endOnFailure: true, ...(SEED === undefined ? {} : { seed: SEED }) });

describe("property: hostile input against every scheme", () => {
  it("the genuine delivery of every scheme is accepted (the baseline the properties mutate)", async () => {
    expect(targets.length).toBeGreaterThanOrEqual(10);
    for (const target of targets) {
      const { genuine } = target;
      const answer = await target.receiver.handle({
        method: "POST",
        url: genuine.url,
        headers: genuine.headers,
        rawBody: genuine.body,
      });
      expect(answer.status, `${genuine.name}: ${answer.body}`).toBe(200);
    }
  });

  it(`verify throws nothing but WebhookError (${RUNS} runs)`, async () => {
    await fc.assert(
      fc.asyncProperty(arbitrary, async (hostile) => {
        const target = targets[hostile.scheme]!;
        const { input } = await build(target.genuine, hostile);
        try {
          await verify(
            target.genuine.scheme,
            { headers: input.headers, rawBody: input.rawBody, url: input.url, method: input.method },
            { now: signedAt, tolerance: TOLERANCE },
          );
        } catch (error) {
          if (!isWebhookError(error)) throw error;
        }
      }),
      options(),
    );
  });

  it(`handle never throws and never answers a client mistake with 5xx (${RUNS} runs)`, async () => {
    await fc.assert(
      fc.asyncProperty(arbitrary, async (hostile) => {
        const { answer, target } = await run(hostile);
        expect(Number.isInteger(answer.status)).toBe(true);
        expect(answer.status, `${target.genuine.name}: ${answer.body}`).toBeGreaterThanOrEqual(200);
        expect(answer.status, `${target.genuine.name}: ${answer.body}`).toBeLessThan(500);
      }),
      options(),
    );
  });

  it(`never 2xx unless signed with a configured secret over exactly these bytes (${RUNS} runs)`, async () => {
    await fc.assert(
      fc.asyncProperty(arbitrary, async (hostile) => {
        const { answer, input, target } = await run(hostile);
        if (answer.status < 200 || answer.status >= 300) return;
        const { genuine } = target;
        expect(hostile.origin, `${genuine.name}: ${answer.body}`).toBe("genuine");
        // A token scheme (Telegram, GitLab) authenticates the sender, not the bytes: by design.
        if (genuine.scheme.facts.bodySigned) {
          expect(sameBytes(input.rawBody, genuine.body), `${genuine.name}: body differs`).toBe(true);
        }
        if (genuine.scheme.facts.signsUrl) expect(input.url).toBe(genuine.url);
      }),
      options(),
    );
  });

  it(`no answer contains a secret, nor a rejection the expected signature (${RUNS} runs)`, async () => {
    await fc.assert(
      fc.asyncProperty(arbitrary, async (hostile) => {
        const { answer, input, target } = await run(hostile);
        const { genuine } = target;
        const text = answer.body + JSON.stringify(answer.headers);
        for (const secret of genuine.secrets) expect(text).not.toContain(secret);
        if (answer.status < 400) return;
        const idHeader = genuine.scheme.facts.id.header;
        // Mailgun's signature travels in the body: there is no expected signature header.
        if (genuine.scheme.facts.signatureHeaders.length === 0) return;
        const expected = await genuine.scheme.sign!({
          rawBody: input.rawBody,
          url: genuine.url,
          timestamp: signedAt,
          type: genuine.type,
          id: idHeader ? genuine.headers[idHeader] : undefined,
          contentType: genuine.headers["content-type"],
        });
        for (const token of [...signatureTokens(expected), ...signatureTokens(genuine.headers)])
          expect(text, genuine.name).not.toContain(token);
      }),
      options(),
    );
  });

  it(`the store is never touched before verification (${RUNS} runs)`, async () => {
    await fc.assert(
      fc.asyncProperty(arbitrary, async (hostile) => {
        const { input, target } = await run(hostile);
        if (target.store.calls > 0) expect(await verifies(target, input), target.genuine.name).toBe(true);
      }),
      options(),
    );
  });
});
