import {
  createReceiver,
  type Delivery,
  type HandleInput,
  memoryJournal,
  memoryStore,
  type Queue,
  type QueuedDelivery,
  type ReceiverEvent,
  type Scheme,
  schemeForSecret,
  schemes,
  type Telemetry,
} from "@hookgate/core";
import { ed25519KeyPair } from "@hookgate/testing";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { isTokenScheme } from "../../packages/core/src/scheme/scheme-facts.js";
import { build, type Genuine, genuineDeliveries, hostileRequest, workingSecret } from "./genuine.js";

// Issue 18's engine guarantees as properties over every scheme in the registry (driven by what
// each scheme's `facts` say; adding a scheme adds no code here):
// - no credential leaves verification: journal rows, rejected requests, queued jobs, observe
//   events, what a telemetry is told, errors and answers never hold a configured secret or token;
// - isolation: two receivers (or tenants) with their own secrets on one store never dedupe each
//   other's deliveries, and rotating a secret never runs a handled delivery again.
const RUNS = process.env.CI ? 10_000 : Number(process.env.HOOKGATE_PROPERTY_RUNS ?? 300);
const SEED = process.env.HOOKGATE_PROPERTY_SEED ? Number(process.env.HOOKGATE_PROPERTY_SEED) : undefined;
const options = (numRuns: number) => ({
  numRuns,
  endOnFailure: true,
  ...(SEED === undefined ? {} : { seed: SEED }),
});
const signedAt = new Date(Math.floor(Date.now() / 1000) * 1000);
const SEAL_KEY = "property-seal-key-0123456789";

let genuine: Genuine[] = [];
beforeAll(async () => {
  genuine = await genuineDeliveries(signedAt);
});

/** The scheme factory for a scheme name, and secrets it verifies with. */
type Factory = ((options: Record<string, unknown>) => Scheme) & { secretOption?: string };
// Each factory with its secret under the option it names (`secret`, or e.g. Graph's `clientState`).
const factories = (Object.values(schemes) as unknown as Factory[]).map(
  (f) => (o: { secret: unknown }) => f({ [f.secretOption ?? "secret"]: o.secret }),
);
async function secretsFor(
  name: string,
): Promise<{ verify: (secret: string | string[]) => Scheme; secrets: string[]; rotates: boolean }> {
  if (name === "discord") {
    const pairs = [await ed25519KeyPair(), await ed25519KeyPair()];
    const factory = schemes.discord;
    return {
      verify: (secret) => {
        const list = (Array.isArray(secret) ? secret : [secret]).map(
          (s) => pairs.find((p) => p.privateKey === s)!.publicKey,
        );
        return factory({ publicKey: list }).withSigningKey(Array.isArray(secret) ? secret[0]! : secret);
      },
      secrets: pairs.map((p) => p.privateKey),
      rotates: true,
    };
  }
  const secrets = [await workingSecret(name), await workingSecret(name)];
  const single = (secret: string | string[]) =>
    Array.isArray(secret) ? undefined : schemeForSecret(name, secret);
  if (name !== "hmac" && schemeForSecret(name, secrets[0]!).facts.keys === "public") {
    // A public-key scheme's verifying key is derived from its signing key: one pair at a time.
    return { verify: (secret) => single(secret)!, secrets, rotates: false };
  }
  // `hmac` is configured by more than a secret: as genuine.ts configures it.
  const hmac = (o: { secret: unknown }) =>
    schemes.hmac({
      secret: o.secret as string,
      header: "x-acme-signature",
      prefix: "sha256=",
      timestampHeader: "x-acme-timestamp",
      id: "x-acme-delivery",
    });
  const factory = [...factories, hmac].find((f) => {
    try {
      return f({ secret: secrets[0] }).name === name;
    } catch {
      return false;
    }
  });
  if (!factory) throw new Error(`no factory for ${name}`);
  return { verify: (secret) => factory({ secret }), secrets, rotates: true };
}

/** A telemetry that records everything it is told. */
function recordingTelemetry(): Telemetry & { told: unknown[] } {
  const told: unknown[] = [];
  return {
    told,
    request(start) {
      told.push(start);
      return {
        verified: (delivery) => void told.push(delivery),
        publish(delivery) {
          told.push(delivery);
          return { end: (error) => void told.push(String(error)) };
        },
        end: (answer) => void told.push(answer),
      };
    },
  };
}

function capturingQueue(): Queue & { jobs: QueuedDelivery[] } {
  const jobs: QueuedDelivery[] = [];
  return { jobs, enqueue: async (job) => void jobs.push(JSON.parse(JSON.stringify(job)) as QueuedDelivery) };
}

describe("property: no credential leaves verification", () => {
  it(`journal rows, kept rejections, queued jobs, observe events, telemetry, errors and answers hold no secret (${RUNS} runs)`, {
    timeout: 300_000,
  }, async () => {
    const arbitrary = fc.oneof(
      fc.record({ genuine: fc.constant(true as const), scheme: fc.nat({ max: genuine.length - 1 }) }),
      hostileRequest(genuine.length).map((hostile) => ({ genuine: false as const, hostile })),
    );
    await fc.assert(
      fc.asyncProperty(arbitrary, async (pick) => {
        const target = genuine[pick.genuine ? pick.scheme : pick.hostile.scheme]!;
        const input: HandleInput = pick.genuine
          ? { method: "POST", url: target.url, headers: target.headers, rawBody: target.body }
          : (await build(target, pick.hostile)).input;
        const journal = memoryJournal({ keepRejected: 10 });
        const queue = capturingQueue();
        const events: ReceiverEvent[] = [];
        const errors: unknown[] = [];
        const telemetry = recordingTelemetry();
        const receiver = createReceiver({
          telemetry,
          scheme: target.scheme,
          store: memoryStore(),
          journal,
          queue,
          sealKey: SEAL_KEY,
          now: () => signedAt,
          observe: (event) => void events.push(event),
        });
        receiver.onError((error) => void errors.push(error));
        const answer = await receiver.handle(input);
        const rows = await Promise.all((await journal.list({})).entries.map((e) => journal.get(e.key)));
        const kept = JSON.stringify({
          rows: rows.map((row) => row && { ...row, rawBody: undefined }),
          rejected: (await journal.rejections()).map((r) => ({ ...r, rawBody: undefined })),
          jobs: queue.jobs.map((job) => ({ ...job, rawBody: undefined, payload: undefined })),
          events: events.map((e) => ({ ...e, error: "error" in e ? String(e.error) : undefined })),
          errors: errors.map(String),
          answer,
        });
        for (const secret of target.secrets) expect(kept, target.name).not.toContain(secret);
        // A telemetry is told no header but the trace context: no signature, token or body.
        const told = JSON.stringify(telemetry.told);
        if (pick.genuine) {
          const { signatureHeaders, credentialHeaders } = target.scheme.facts;
          for (const [name, value] of Object.entries(target.headers))
            if ([...signatureHeaders, ...credentialHeaders].includes(name.toLowerCase()))
              expect(told, `${target.name} ${name}`).not.toContain(JSON.stringify(value).slice(1, -1));
          expect(told, target.name).not.toContain(
            JSON.stringify(new TextDecoder().decode(target.body)).slice(1, -1),
          );
        }
        for (const secret of target.secrets) expect(told, target.name).not.toContain(secret);
      }),
      options(RUNS),
    );
  });
});

describe("property: deliveries never cross receivers or tenants, and survive rotation", () => {
  it(`two receivers with their own secrets on one store both run the same delivery (${Math.ceil(RUNS / 10)} runs)`, {
    timeout: 180_000,
  }, async () => {
    const setups = await Promise.all(genuine.map(async (g) => ({ g, ...(await secretsFor(g.name)) })));
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: setups.length - 1 }), fc.uuid(), async (index, uuid) => {
        const { g, verify, secrets } = setups[index]!;
        const store = memoryStore();
        const handled: string[] = [];
        for (const secret of secrets) {
          const scheme = verify(secret);
          const receiver = createReceiver({ scheme, store, now: () => signedAt });
          receiver.onAny((event: Delivery) => void handled.push(event.id));
          const signed = await scheme.signRequest({
            rawBody: new TextDecoder()
              .decode(g.body)
              .replace(/prop|evt_[A-Za-z0-9]+/, `evt_${uuid.slice(0, 8)}`),
            id: `id-${uuid}`,
            type: g.type,
            url: g.url,
            timestamp: signedAt,
          });
          const answer = await receiver.handle({
            method: "POST",
            url: g.url,
            headers: signed.headers,
            rawBody: signed.rawBody,
          });
          expect(answer.status, `${g.name}: ${answer.body}`).toBeLessThan(300);
          expect(JSON.parse(answer.body).status, `${g.name}: ${answer.body}`).not.toBe("duplicate");
        }
      }),
      options(Math.ceil(RUNS / 10)),
    );
  });

  it(`a shared-token delivery is keyed by its id as sent, and its body bound to it (${Math.ceil(RUNS / 10)} runs)`, {
    timeout: 180_000,
  }, async () => {
    // Driven by `facts`: every scheme verified by a token alone (nothing per delivery is signed) that
    // travels in a header, whose body is bound byte for byte. Where the token travels in the body
    // (Graph's clientState), what is bound is the payload without it, as Mailgun's is: a re-encoding
    // is the same delivery there (test/hostile/r2-sealed.test.ts).
    const all = await Promise.all(genuine.map(async (g) => ({ g, ...(await secretsFor(g.name)) })));
    const setups = all.filter(
      ({ g }) => isTokenScheme(g.scheme.facts) && g.scheme.facts.signatureHeaders.length > 0,
    );
    expect(setups.map((setup) => setup.g.name)).toEqual(
      expect.arrayContaining(["telegram", "gitlab", "bearer-token", "basic-auth"]),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: setups.length - 1 }),
        fc.uuid(),
        fc.uuid(),
        async (index, first, second) => {
          const { g, verify, secrets } = setups[index]!;
          const scheme = verify(secrets[0]!);
          const receiver = createReceiver({ scheme, store: memoryStore(), now: () => signedAt });
          // The first run fails: the key is released for the sender's retry, the binding stays.
          let runs = 0;
          receiver.onAny(() => {
            if (++runs === 1) throw new Error("the first attempt fails");
          });
          const body = new TextDecoder()
            .decode(g.body)
            .replace(/prop|evt_[A-Za-z0-9]+/, `evt_${first.slice(0, 8)}`);
          const send = async (id: string, rawBody: string) => {
            const signed = await scheme.signRequest({
              rawBody,
              id,
              type: g.type,
              url: g.url,
              timestamp: signedAt,
            });
            return receiver.handle({
              method: "POST",
              url: g.url,
              headers: signed.headers,
              rawBody: signed.rawBody,
            });
          };
          const failed = await send(`id-${first}`, body);
          expect(failed.status, `${g.name}: ${failed.body}`).toBe(500);
          // The same id with the body re-encoded (a trailing space: the same JSON, other bytes) is refused.
          const reencoded = await send(`id-${first}`, `${body} `);
          expect(reencoded.status, `${g.name}: ${reencoded.body}`).toBe(401);
          expect(reencoded.error?.code, g.name).toBe("signature_mismatch");
          // The sender's retry of the first body runs, once.
          const handled = await send(`id-${first}`, body);
          expect(handled.outcome, `${g.name}: ${handled.body}`).toBe("handled");
          expect((await send(`id-${first}`, body)).outcome, g.name).toBe("duplicate");
          // The key follows the id the receiver read: another id is another delivery, the same one a duplicate
          // (Telegram's id is the body's update_id, which the header id the signer is given does not change).
          const other = await send(`id-${second}`, body);
          expect(other.outcome, `${g.name}: ${other.body}`).toBe(
            other.id === handled.id ? "duplicate" : "handled",
          );
          expect(runs).toBe(other.id === handled.id ? 2 : 3);
        },
      ),
      options(Math.ceil(RUNS / 10)),
    );
  });

  it(`adding a new secret, then dropping the old one, never runs a handled delivery again (${Math.ceil(RUNS / 10)} runs)`, {
    timeout: 180_000,
  }, async () => {
    const all = await Promise.all(genuine.map(async (g) => ({ g, ...(await secretsFor(g.name)) })));
    // A genuine delivery that is a protocol handshake (Zoom's url_validation) runs no handler.
    const setups = all.filter(
      (setup) => setup.rotates && !/url_validation/.test(new TextDecoder().decode(setup.g.body)),
    );
    expect(setups.length).toBeGreaterThan(30);
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: setups.length - 1 }), fc.uuid(), async (index, uuid) => {
        const { g, verify, secrets } = setups[index]!;
        const [oldSecret, newSecret] = secrets as [string, string];
        const store = memoryStore();
        let runs = 0;
        const body = new TextDecoder()
          .decode(g.body)
          .replace(/prop|evt_[A-Za-z0-9]+/, `evt_${uuid.slice(0, 8)}`);
        const statuses: string[] = [];
        for (const [configured, signer] of [
          [[oldSecret], oldSecret],
          [[newSecret, oldSecret], newSecret],
          [[newSecret], newSecret],
        ] as const) {
          const receiver = createReceiver({ scheme: verify([...configured]), store, now: () => signedAt });
          receiver.onAny(() => void runs++);
          const signed = await verify(signer).signRequest({
            rawBody: body,
            id: `id-${uuid}`,
            type: g.type,
            url: g.url,
            timestamp: signedAt,
          });
          const answer = await receiver.handle({
            method: "POST",
            url: g.url,
            headers: signed.headers,
            rawBody: signed.rawBody,
          });
          statuses.push(JSON.parse(answer.body).status ?? answer.body);
        }
        expect(statuses, g.name).toEqual(["handled", "duplicate", "duplicate"]);
        expect(runs).toBe(1);
      }),
      options(Math.ceil(RUNS / 10)),
    );
  });
});
