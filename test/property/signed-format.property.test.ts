import { randomBytes } from "node:crypto";
import {
  createReceiver,
  type Delivery,
  type HeadersInput,
  isWebhookError,
  memoryStore,
  type Scheme,
  type SchemeSigningOptions,
  schemeForSecret,
  schemeNames,
  schemeNeedsOptions,
  verify,
  type WebhookError,
} from "@hookgate/core";
import { ed25519KeyPair, fixtureCatalog, signedFixture, snsSigningKey } from "@hookgate/testing";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { generateEcdsaP256 } from "../../packages/core/src/internal/crypto.js";

// Guarantee 1, "what the handler sees is what was signed", for the body's format: for every
// scheme in `schemes`, a genuine delivery — with an attacker's string planted in a signed field,
// `&payload=…` and all — re-sent as the same signed bytes under any other Content-Type (form,
// JSON, text, with parameters, several, none) and with unsigned headers re-cased, reordered or
// added, is refused with a 4xx WebhookError, or is the genuine delivery: same type, id and payload,
// from `verify` and in the handlers. Everything here is read from the registry and `scheme.facts`;
// adding a scheme adds no code. (The headers a scheme reads — signature, timestamp, id, type — are
// left alone: what an unsigned id or type header may do is stated by `facts.idSigned` and covered
// by the hostile-input properties.)
const RUNS = process.env.CI ? 10_000 : Number(process.env.HOOKGATE_PROPERTY_RUNS ?? 200);
const SEED = process.env.HOOKGATE_PROPERTY_SEED ? Number(process.env.HOOKGATE_PROPERTY_SEED) : undefined;
const TOLERANCE = 300;
const signedAt = new Date(Math.floor(Date.now() / 1000) * 1000);
const JSON_TYPE = "application/json";
const FORM = "application/x-www-form-urlencoded";

/** One way a scheme's genuine deliveries are encoded: a catalog payload and a body format. */
interface Variant {
  scheme: Scheme;
  url: string;
  payload: object;
  /** How the payload becomes a body: JSON, form fields, or a form of one `payload` field holding JSON. */
  encoding: "json" | "form" | "payload-field";
  type: string | undefined;
}

// Whatever a scheme needs beside its secret (aws-sns, hmac), from the registry's own option names.
const sns = await snsSigningKey();
const signingOptions: SchemeSigningOptions = {
  topicArn: "arn:aws:sns:us-east-1:123456789012:signed-format",
  certificateUrl: sns.certificateUrl,
  header: "x-property-signature",
  prefix: "sha256=",
  timestampHeader: "x-property-timestamp",
  webhookId: "PROPERTY0WEBHOOK",
};

/** A certificate URL of the form a certificate scheme fetches (its `facts.certificate.form`). */
const exampleCertificateUrl = (form: string) => form.replace(/<[^>]+>/g, "test");
/** Whether a URL has a certificate URL form (`<…>`: one path-free piece). */
const fitsForm = (form: string, url: string) =>
  new RegExp(`^${form.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/<[^>]+>/g, "[^/]+")}$`).test(url);
/** The URLs the stubbed fetch serves the test certificate at. */
const certificateUrls = new Set([sns.certificateUrl]);

/** Secrets in every form a scheme takes: a string, a `whsec_` key, ECDSA, Ed25519 and RSA private keys. */
async function secretForms(name: string): Promise<string[]> {
  return [
    `${name}_secret_${randomBytes(24).toString("hex")}`,
    `whsec_${randomBytes(24).toString("base64")}`,
    (await generateEcdsaP256()).privateKey,
    (await ed25519KeyPair()).privateKey,
    sns.privateKey,
  ];
}

function inject(payload: object, note: string): object {
  if (Array.isArray(payload)) {
    const [first, ...rest] = payload as unknown[];
    return first !== null && typeof first === "object" ? [{ ...first, note }, ...rest] : payload;
  }
  return { ...payload, note };
}

async function sign(variant: Variant, note: string) {
  const payload = inject(variant.payload, note);
  const options = {
    url: variant.url,
    timestamp: signedAt,
    ...(variant.type === undefined ? {} : { type: variant.type }),
  };
  if (variant.encoding === "payload-field") {
    const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
    return signedFixture(variant.scheme, body, { ...options, contentType: FORM });
  }
  return signedFixture(variant.scheme, payload, {
    ...options,
    contentType: variant.encoding === "json" ? JSON_TYPE : FORM,
  });
}

const check = (variant: Variant, headers: HeadersInput, body: string) =>
  verify(
    variant.scheme,
    { method: "POST", url: variant.url, headers, rawBody: new TextEncoder().encode(body) },
    { now: signedAt, tolerance: TOLERANCE },
  );

type Seen = { type: string; id: string; payload: unknown };

/** What the handlers see of one request, on a receiver of its own (so no delivery is a duplicate). */
async function handled(variant: Variant, headers: HeadersInput, body: string) {
  const receiver = createReceiver({
    scheme: variant.scheme,
    store: memoryStore(),
    now: () => signedAt,
    tolerance: TOLERANCE,
  });
  const seen: Seen[] = [];
  receiver.onAny((event) => void seen.push({ type: event.type, id: event.id, payload: event.payload }));
  const answer = await receiver.handle({ method: "POST", url: variant.url, headers, rawBody: body });
  return { answer, seen };
}

/**
 * Every (scheme, catalog payload, encoding) whose genuine delivery verifies: each scheme is built
 * from the first secret form that signs a delivery it then accepts.
 */
async function genuineVariants(): Promise<Variant[]> {
  const variants: Variant[] = [];
  for (const name of schemeNames) {
    const entries = fixtureCatalog.filter((entry) => entry.scheme === name);
    const payloads = entries.length
      ? entries.map((entry) => ({ payload: entry.create(), type: entry.type as string | undefined }))
      : [{ payload: { id: "evt_format", type: "thing.happened", n: 1 }, type: "thing.happened" }];
    const options = schemeNeedsOptions(name).length > 0 ? signingOptions : {};
    let found = false;
    for (const secret of await secretForms(name)) {
      let scheme: Scheme;
      try {
        scheme = schemeForSecret(name, secret, options);
        const form = scheme.facts.certificate?.form;
        if (form && !fitsForm(form, sns.certificateUrl)) {
          // A certificate scheme signs for a URL of its provider's form, served the test certificate.
          const certificateUrl = exampleCertificateUrl(form);
          certificateUrls.add(certificateUrl);
          scheme = schemeForSecret(name, secret, { ...options, certificateUrl });
        }
      } catch {
        continue;
      }
      const url = `https://hooks.example.com/in/${name}?tenant=t1`;
      for (const { payload, type } of payloads) {
        for (const encoding of ["json", "form", "payload-field"] as const) {
          const variant: Variant = { scheme, url, payload, encoding, type };
          try {
            const fixture = await sign(variant, "genuine");
            await check(variant, fixture.headers, fixture.body);
            const { answer } = await handled(variant, fixture.headers, fixture.body);
            if (answer.status !== 200) continue;
            variants.push(variant);
            found = true;
          } catch {
            // Not how this scheme's senders encode this payload, or not its secret form.
          }
        }
      }
      if (found) break;
    }
    if (!found) throw new Error(`no genuine delivery of ${name} could be signed and verified`);
  }
  return variants;
}

// ---- what the attacker varies -----------------------------------------------------------------

const fieldName = fc.constantFrom(
  "payload",
  "type",
  "id",
  "event_id",
  "trigger_id",
  "event",
  "command",
  "token",
  "signature",
  "timestamp",
  "MessageSid",
  "Message",
);
/** A string planted in a signed field: arbitrary, or one that reads as form fields (issue 18 hole 3). */
const note = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc
    .array(fc.tuple(fieldName, fc.oneof(fc.string({ maxLength: 20 }), fc.json({ maxDepth: 2 }))), {
      minLength: 1,
      maxLength: 3,
    })
    .map((fields) => `x${fields.map(([name, value]) => `&${name}=${encodeURIComponent(value)}`).join("")}&`),
  // An open `payload` field that the body's own closing characters complete.
  fc
    .tuple(fc.string({ maxLength: 12 }), fc.nat({ max: 4 }))
    .map(
      ([id, cut]) =>
        `hi&payload=${encodeURIComponent(JSON.stringify({ type: "block_actions", trigger_id: id, pad: { x: "" } }).slice(0, -1 - cut))}`,
    ),
);
const mediaType = fc.oneof(
  fc.constantFrom(
    JSON_TYPE,
    FORM,
    "text/plain",
    `${JSON_TYPE}; charset=utf-8`,
    `${FORM}; charset=UTF-8`,
    "APPLICATION/X-WWW-FORM-URLENCODED",
    `${JSON_TYPE}; x=${FORM}`,
    `${FORM}, ${JSON_TYPE}`,
    "multipart/form-data; boundary=x",
    "",
  ),
  fc.string({ maxLength: 30 }),
);
/** Unsigned headers a sender or a proxy may add. */
const extraHeader = fc.tuple(
  fc.oneof(
    fc.constantFrom(
      "x-forwarded-proto",
      "x-forwarded-host",
      "x-http-method-override",
      "content-encoding",
      "accept",
      "user-agent",
      "x-original-content-type",
    ),
    fc.string({ minLength: 1, maxLength: 12, unit: fc.constantFrom(..."abcdefghijklmnopqrstuvwxyz-") }),
  ),
  fc.oneof(mediaType, fc.string({ maxLength: 20 })),
);
const edits = fc.record({
  /** The Content-Type: none, one, or several (as an array, or under names that differ in case). */
  contentTypes: fc.array(mediaType, { maxLength: 3 }),
  contentTypeNames: fc.array(fc.constantFrom("content-type", "Content-Type", "CONTENT-TYPE"), {
    minLength: 3,
    maxLength: 3,
  }),
  asArray: fc.boolean(),
  extra: fc.array(extraHeader, { maxLength: 3 }),
  recase: fc.boolean(),
  reverse: fc.boolean(),
  webHeaders: fc.boolean(),
});
type Edits = typeof edits extends fc.Arbitrary<infer T> ? T : never;

/** The genuine headers, with the Content-Type replaced and unsigned headers added, re-cased, reordered. */
function rebuild(scheme: Scheme, genuine: Record<string, string>, e: Edits): HeadersInput {
  const { facts } = scheme;
  const read = new Set(
    [
      ...facts.signatureHeaders,
      facts.id.header,
      facts.type.header,
      facts.timestamp && "header" in facts.timestamp ? facts.timestamp.header : undefined,
      ...Object.keys(genuine),
    ]
      .filter((name): name is string => name !== undefined)
      .map((name) => name.toLowerCase()),
  );
  let entries: [string, string | string[]][] = Object.entries(genuine).filter(
    ([name]) => name.toLowerCase() !== "content-type",
  );
  if (e.asArray && e.contentTypes.length > 1) entries.push(["content-type", e.contentTypes]);
  else for (const [i, value] of e.contentTypes.entries()) entries.push([e.contentTypeNames[i]!, value]);
  for (const [name, value] of e.extra) if (!read.has(name)) entries.push([name, value]);
  if (e.recase) entries = entries.map(([name, value]) => [name.toUpperCase(), value]);
  if (e.reverse) entries.reverse();
  // A record keeps one value per exact name; Web Headers joins values of names equal but for case.
  if (!e.webHeaders) return Object.fromEntries(entries);
  const headers = new Headers();
  try {
    for (const [name, value] of entries) for (const v of [value].flat()) headers.append(name, v);
  } catch {
    return Object.fromEntries(entries); // not a value Web Headers can hold, so not one a server delivers
  }
  return headers;
}

// ---- the property -----------------------------------------------------------------------------

let variants: Variant[] = [];
beforeAll(async () => {
  // A scheme whose signing certificate is fetched (aws-sns) gets the test certificate, and only it.
  vi.stubGlobal("fetch", async (url: string | URL | Request) =>
    certificateUrls.has(String(url instanceof Request ? url.url : url))
      ? new Response(sns.certificate)
      : new Response("not found", { status: 404 }),
  );
  variants = await genuineVariants();
}, 120_000);
afterAll(() => void vi.unstubAllGlobals());

const same = (delivery: Delivery) => ({ type: delivery.type, id: delivery.id, payload: delivery.payload });

describe("property: the signed bytes, not the Content-Type, decide what handlers see", () => {
  it("covers every scheme in the registry", () => {
    expect(new Set(variants.map((variant) => variant.scheme.name))).toEqual(new Set(schemeNames));
  });

  it(`a genuine delivery under any Content-Type and unsigned headers is refused 4xx or unchanged (${RUNS} runs)`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: variants.length - 1 }), note, edits, async (index, planted, e) => {
        const variant = variants[index]!;
        const name = `${variant.scheme.name} (${variant.encoding})`;
        const fixture = await sign(variant, planted);
        let genuine: Delivery;
        try {
          genuine = await check(variant, fixture.headers, fixture.body);
        } catch {
          return; // the planted string made the genuine body one the provider never sends
        }
        const before = await handled(variant, fixture.headers, fixture.body);
        if (before.answer.status !== 200) return;
        const headers = rebuild(variant.scheme, fixture.headers, e);

        const delivery = await check(variant, headers, fixture.body).catch((error: unknown) => error);
        if (delivery instanceof Error) {
          expect(isWebhookError(delivery), `${name}: ${delivery.message}`).toBe(true);
          const { status } = delivery as WebhookError;
          expect(status, name).toBeGreaterThanOrEqual(400);
          expect(status, name).toBeLessThan(500);
        } else expect(same(delivery as Delivery), name).toEqual(same(genuine));

        const after = await handled(variant, headers, fixture.body);
        if (after.answer.status >= 200 && after.answer.status < 300) {
          expect(after.seen, name).toEqual(before.seen);
        } else {
          expect(after.answer.status, `${name}: ${after.answer.body}`).toBeGreaterThanOrEqual(400);
          expect(after.answer.status, `${name}: ${after.answer.body}`).toBeLessThan(500);
          expect(after.seen, name).toEqual([]);
        }
      }),
      { numRuns: RUNS, endOnFailure: true, ...(SEED === undefined ? {} : { seed: SEED }) },
    );
  }, 600_000);
});
