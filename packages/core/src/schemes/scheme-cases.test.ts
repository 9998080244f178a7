import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { fixtureCatalog } from "../../../testing/src/fixtures/index.js";
import { snsSigningKey } from "../../../testing/src/sns-signing-key.js";
import { toHex } from "../internal/bytes.js";
import { forceWebCrypto, generateEcdsaP256, generateEd25519 } from "../internal/crypto.js";
import { memoryJournal } from "../journal/memory-journal.js";
import type { Queue, QueuedDelivery } from "../queue.js";
import { createReceiver } from "../receiver/create-receiver.js";
import type { ReceiverOptions } from "../receiver/types.js";
import { getPath } from "../scheme/value-sources.js";
import { memoryStore } from "../store/memory-store.js";
import type { Scheme, SchemeFacts, SignedRequest, WebhookEvent } from "../types.js";
import { verify } from "../verify.js";
import { schemeForSecret, schemeNames, schemeNeedsOptions } from "./by-name.js";
import { schemes } from "./index.js";
import type { SchemeSigningOptions } from "./signing-options.js";

// One case table for every scheme in `schemes`: each is built from a CLI-style secret
// (`schemeForSecret`), and every assertion below is derived from its `facts` — where its id, type
// and timestamp travel, which headers carry the signature, what the signature covers, which
// headers are credentials, which content types it sends, its deadline and event time. Adding a
// provider adds no row; a fact that lies fails a test. Provider-specific vectors and protocols
// (handshakes, batches, published vectors) live in each scheme's own tests.

const NOW = new Date("2026-03-01T12:00:00Z");
const TOLERANCE = 300;
const ID = "case-id-1";
const TYPE = "case_created";
const URL_ = "https://hooks.example.com/in/case?tenant=t1";
const FORM = "application/x-www-form-urlencoded";

/** A certificate scheme's key and the certificate the stubbed `fetch` serves for its URLs. */
const rsa = await snsSigningKey();
const otherRsa = await snsSigningKey();
const certificateUrls = new Set<string>();

const signingOptions: SchemeSigningOptions = {
  topicArn: "arn:aws:sns:us-east-1:123456789012:cases",
  webhookId: "CASES0WEBHOOK",
  header: "x-case-signature",
  prefix: "sha256=",
  timestampHeader: "x-case-timestamp",
  // Replaced by a URL of the scheme's own certificate form once its facts are read.
  certificateUrl: "https://certificates.example/placeholder.pem",
};

/** Pairs of secrets (right, wrong) in every form a scheme takes, tried in turn. */
async function secretForms(): Promise<[string, string][]> {
  const [ed, otherEd] = [await generateEd25519(), await generateEd25519()];
  return [
    ["case-secret-right", "case-secret-wrong"],
    [`whsec_${btoa("case-secret-right-0123456")}`, `whsec_${btoa("case-secret-wrong-0123456")}`],
    [toHex(ed.seed), toHex(otherEd.seed)],
    [(await generateEcdsaP256()).privateKey, (await generateEcdsaP256()).privateKey],
    [rsa.privateKey, otherRsa.privateKey],
  ];
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split(".");
  let at = target;
  for (const key of keys.slice(0, -1)) {
    if (typeof at[key] !== "object" || at[key] === null) at[key] = {};
    at = at[key] as Record<string, unknown>;
  }
  at[keys.at(-1)!] = value;
}

const timeIn = (date: Date, unit: "s" | "ms" | "iso") =>
  unit === "iso" ? date.toISOString() : unit === "ms" ? date.getTime() : Math.floor(date.getTime() / 1000);

const HANDSHAKE = /url_validation|url_verification|challenge|ping|verification/i;

/**
 * The event as the scheme's sender writes it: the scheme's first fixture in the test kit (for the
 * shape its senders use), with the type, id and times written where the facts say they are.
 */
function payloadFor(c: Case, at: Date, eventTime: Date, id: string): unknown {
  const { facts } = c;
  const data = structuredClone(c.example) as Record<string, unknown>;
  if (facts.envelope !== undefined || Array.isArray(data)) return data;
  const typePath = facts.type.payload?.[0];
  if (typePath) setPath(data, typePath, TYPE);
  const idPath = facts.id.payload?.[0];
  if (idPath) setPath(data, idPath, id);
  const ts = facts.timestamp;
  if (ts && "payload" in ts) setPath(data, ts.payload, timeIn(at, ts.unit));
  if (facts.eventTime) setPath(data, facts.eventTime.payload, timeIn(eventTime, facts.eventTime.unit));
  return data;
}

/** The type a delivery of the case has: where the facts say, with its action; else the fixture's. */
function expectedType(c: Case): string | undefined {
  const { type, envelope } = c.facts;
  if (envelope !== undefined || type.computed || Array.isArray(c.example)) return c.exampleType;
  if (!type.header && !type.payload) return undefined;
  const action = type.action && getPath(c.example, type.action);
  return typeof action === "string" ? `${TYPE}.${action}` : TYPE;
}

function encode(payload: unknown, contentType: string): string {
  if (!contentType.startsWith(FORM)) return JSON.stringify(payload);
  const form = new URLSearchParams();
  for (const [name, value] of Object.entries(payload as Record<string, unknown>)) {
    form.append(name, typeof value === "object" ? JSON.stringify(value) : String(value));
  }
  return form.toString();
}

interface Case {
  name: string;
  scheme: Scheme;
  /** The same scheme, signing with a wrong secret of the same form. */
  forger: Scheme;
  secret: string;
  facts: SchemeFacts;
  /** The scheme's first fixture that is no handshake, or an empty object (hmac has none). */
  example: unknown;
  exampleType: string | undefined;
}

/** Signs an event for the case, at `at`, as its sender would. */
async function signed(
  c: Case,
  { at = NOW, eventTime = NOW, id = ID, scheme = c.scheme, contentType = c.facts.contentTypes[0]! } = {},
): Promise<SignedRequest & { url: string }> {
  const rawBody = encode(payloadFor(c, at, eventTime, id), contentType);
  const request = await scheme.signRequest({
    rawBody,
    id,
    timestamp: at,
    url: URL_,
    contentType,
    ...(c.facts.type.header ? { type: TYPE } : {}),
  });
  return { ...request, url: URL_ };
}

const check = (c: Case, request: { headers: Record<string, string>; rawBody: Uint8Array; url?: string }) =>
  verify(c.scheme, request, { now: NOW, tolerance: TOLERANCE });

/** Every built-in scheme, built from the first secret form it signs with and then verifies. */
async function buildCases(): Promise<Case[]> {
  const forms = await secretForms();
  const cases: Case[] = [];
  for (const name of schemeNames) {
    const options = schemeNeedsOptions(name).length > 0 ? signingOptions : {};
    let found: Case | undefined;
    for (const [right, wrong] of forms) {
      try {
        let make = (secret: string) => schemeForSecret(name, secret, options);
        const form = make(right).facts.certificate?.form;
        if (form) {
          // A certificate scheme signs for a URL of its provider's form; the stub serves it.
          const certificateUrl = form.replace(/<[^>]+>/g, "test");
          certificateUrls.add(certificateUrl);
          make = (secret) => schemeForSecret(name, secret, { ...options, certificateUrl });
        }
        const scheme = make(right);
        const entry = fixtureCatalog.find(
          (f) => f.scheme === name && !HANDSHAKE.test(f.name) && !HANDSHAKE.test(f.type),
        );
        const c: Case = {
          name,
          scheme,
          forger: make(wrong),
          secret: right,
          facts: scheme.facts,
          example: entry?.create() ?? {},
          exampleType: entry?.type,
        };
        await check(c, await signed(c));
        found = c;
        break;
      } catch {
        // Not this scheme's secret form.
      }
    }
    if (!found) throw new Error(`no secret form signs and verifies a ${name} delivery`);
    cases.push(found);
  }
  return cases;
}

// Certificate schemes fetch their certificate over `fetch`: served locally, the test's own.
vi.stubGlobal(
  "fetch",
  vi.fn(async (url: string) =>
    certificateUrls.has(url) ? new Response(rsa.certificate) : new Response("not found", { status: 404 }),
  ),
);
afterAll(() => vi.unstubAllGlobals());

const cases = await buildCases();

const expectCode = (promise: Promise<unknown>, ...codes: string[]) =>
  expect(promise).rejects.toSatisfy(
    (error: { name?: string; code?: string }) =>
      error.name === "WebhookError" && codes.includes(error.code ?? ""),
    `a WebhookError with code ${codes.join(" or ")}`,
  );

/** One character changed well inside a value, keeping its alphabet and length. */
function spoil(value: string): string {
  const at = Math.max(0, value.length - 10);
  return value.slice(0, at) + (value[at] === "a" ? "b" : "a") + value.slice(at + 1);
}

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const bytes = (value: string) => new TextEncoder().encode(value);

/** The JSON object (or form) of a body, changed by `change`, written back the way it was. */
function rewrite(body: Uint8Array, change: (fields: Record<string, unknown>) => void): Uint8Array {
  const source = text(body);
  if (/^\s*\{/.test(source)) {
    const parsed = JSON.parse(source) as Record<string, unknown>;
    change(parsed);
    return bytes(JSON.stringify(parsed, null, /^\s*\{\s*\n/.test(source) ? 2 : undefined));
  }
  const form = Object.fromEntries(new URLSearchParams(source));
  change(form);
  return bytes(new URLSearchParams(form as Record<string, string>).toString());
}

/** The object that carries a body signature (`facts.bodySignature`), or each of them. */
function carriers(fields: Record<string, unknown>, where: NonNullable<SchemeFacts["bodySignature"]>) {
  const container = where.json
    ? where.json.split(".").reduce<unknown>((at, key) => (at as Record<string, unknown>)?.[key], fields)
    : fields;
  return (where.each && Array.isArray(container) ? container : [container]) as Record<string, unknown>[];
}

/** The body with the event changed: inside the envelope where the event travels in one. */
function tamperedBody(c: Case, body: Uint8Array): Uint8Array {
  const { envelope } = c.facts;
  return rewrite(body, (fields) => {
    if (envelope === undefined) fields.tampered = "1";
    else fields[envelope] = `${String(fields[envelope])} `;
  });
}

/** A promise and its resolve (Node 20 has no `Promise.withResolvers`). */
function latch() {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

/** A receiver for the case on a store of its own, at the table's clock. */
function receiverFor(
  c: Case,
  handler: (event: WebhookEvent) => unknown = () => {},
  options: Partial<ReceiverOptions> = {},
) {
  const receiver = createReceiver({
    scheme: c.scheme,
    store: memoryStore(),
    now: () => NOW,
    sealKey: "case-seal-key-0123456789",
    ...options,
  });
  receiver.onAny(handler);
  return receiver;
}

const post = (receiver: ReturnType<typeof receiverFor>, request: SignedRequest) =>
  receiver.handle({ method: "POST", url: URL_, headers: request.headers, rawBody: request.rawBody });

it("has a case for every scheme in `schemes`", () => {
  expect(cases.map((c) => c.name)).toEqual([...schemeNames]);
  expect(schemeNames).toHaveLength(Object.keys(schemes).length);
});

describe.each(cases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
  const { facts } = c;

  it("is named as the registry spells it, and its facts are coherent", () => {
    expect(c.scheme.name).toBe(c.name);
    expect(facts.contentTypes.length).toBeGreaterThan(0);
    expect(facts.algorithms.length).toBeGreaterThan(0);
    // A signature travels in headers or in the body: the facts name where.
    expect(facts.signatureHeaders.length > 0 || facts.bodySignature !== undefined).toBe(true);
    for (const header of facts.credentialHeaders) expect(facts.signatureHeaders).toContain(header);
    expect(facts.keys === "public").toBe(
      facts.algorithms.every((a) => ["ed25519", "ecdsa-p256-sha256", "rsa-sha1", "rsa-sha256"].includes(a)),
    );
    if (facts.algorithms.includes("token")) expect(facts.bodySigned).toBe(false);
    if (facts.deadline) {
      expect(Number.isInteger(facts.deadline.ms)).toBe(true);
      expect(facts.deadline.ms).toBeGreaterThanOrEqual(1000);
      expect(facts.deadline.ms).toBeLessThanOrEqual(60_000);
    }
    // Order is read from signed bytes only.
    if (facts.eventTime) expect(facts.bodySigned).toBe(true);
  });

  it("verifies what it signs: id, type, timestamp and secret where the facts say", async () => {
    const request = await signed(c);
    for (const header of facts.signatureHeaders) expect(request.headers[header]).toEqual(expect.any(String));
    if (facts.id.header) expect(request.headers[facts.id.header]).toBe(ID);
    if (facts.type.header) expect(request.headers[facts.type.header]).toBe(TYPE);
    const ts = facts.timestamp;
    if (ts && "header" in ts) expect(request.headers[ts.header]).toEqual(expect.any(String));
    expect(facts.contentTypes).toContain(request.headers["content-type"]?.split(";")[0]);

    const delivery = await check(c, request);
    expect(delivery).toMatchObject({ scheme: c.name, matchedSecret: { index: 0 } });
    expect(delivery.rawBody).toEqual(request.rawBody);
    if (facts.id.computed || (!facts.id.header && !facts.id.payload)) {
      expect(delivery.id).toMatch(/\S/);
    } else expect(delivery.id).toBe(ID);
    expect(delivery.type).toBe(expectedType(c) ?? expect.stringMatching(/\S/));
    if (ts) expect(delivery.timestamp).toEqual(NOW);
    else expect(delivery.timestamp).toBeUndefined();
  });

  it("refuses a delivery signed with another secret", async () => {
    await expectCode(check(c, await signed(c, { scheme: c.forger })), "signature_mismatch");
  });

  it(`refuses its signature spoiled (${facts.signatureHeaders.join(", ") || "in the body"})`, async () => {
    const request = await signed(c);
    // Every signature header at once: a scheme may send several, any one of which verifies (Box).
    for (const header of facts.signatureHeaders) request.headers[header] = spoil(request.headers[header]!);
    if (facts.bodySignature) {
      const { field } = facts.bodySignature;
      request.rawBody = rewrite(request.rawBody, (fields) => {
        for (const carrier of carriers(fields, facts.bodySignature!))
          carrier[field] = spoil(String(carrier[field]));
      });
    }
    await expectCode(check(c, request), "signature_mismatch", "malformed_signature");
  });

  it("refuses a delivery without its signature: missing_signature", async () => {
    const request = await signed(c);
    for (const header of facts.signatureHeaders) delete request.headers[header];
    if (facts.bodySignature) {
      request.rawBody = rewrite(request.rawBody, (fields) => {
        for (const carrier of carriers(fields, facts.bodySignature!)) {
          delete carrier[facts.bodySignature!.field];
        }
      });
    }
    await expectCode(check(c, request), "missing_signature");
  });

  if (facts.timestamp) {
    it("refuses a timestamp beyond the tolerance, old or future, and takes it within", async () => {
      const old = await signed(c, { at: new Date(NOW.getTime() - (TOLERANCE + 1) * 1000) });
      const future = await signed(c, { at: new Date(NOW.getTime() + (TOLERANCE + 1) * 1000) });
      await expectCode(check(c, old), "timestamp_too_old");
      await expectCode(check(c, future), "timestamp_in_future");
      const wider = { now: NOW, tolerance: TOLERANCE + 2 };
      await expect(verify(c.scheme, old, wider)).resolves.toBeDefined();
      await expect(verify(c.scheme, future, wider)).resolves.toBeDefined();
    });
  } else {
    it("has no signed timestamp: a day-old signature still verifies", async () => {
      await expect(
        check(c, await signed(c, { at: new Date(NOW.getTime() - 86_400_000) })),
      ).resolves.toBeDefined();
    });
  }

  const ts = facts.timestamp;
  if (ts && "header" in ts) {
    it(`refuses its timestamp header (${ts.header}) changed: the timestamp is signed`, async () => {
      const request = await signed(c);
      const later = new Date(NOW.getTime() + 1000);
      request.headers[ts.header] = String(timeIn(later, ts.unit));
      await expectCode(check(c, request), "signature_mismatch");
    });
  }

  if (facts.bodySigned) {
    it("refuses a body changed after signing: the body is signed", async () => {
      const request = await signed(c);
      await expectCode(
        check(c, { ...request, rawBody: tamperedBody(c, request.rawBody) }),
        "signature_mismatch",
      );
    });
  } else if (facts.idSigned) {
    it("binds the body to its signed id: another body under the same signature is never handled", async () => {
      const bodies: string[] = [];
      const receiver = receiverFor(c, (event) => void bodies.push(text(event.rawBody)));
      const request = await signed(c);
      expect((await post(receiver, request)).status).toBe(200);
      const tampered = await post(receiver, { ...request, rawBody: tamperedBody(c, request.rawBody) });
      expect([200, 401]).toContain(tampered.status);
      expect(bodies).toHaveLength(1);
    });
  } else {
    it("takes a body changed after signing: neither the body nor the id is signed", async () => {
      const request = await signed(c);
      await expect(
        check(c, { ...request, rawBody: tamperedBody(c, request.rawBody) }),
      ).resolves.toBeDefined();
    });
  }

  const idHeader = facts.id.header;
  const idPath = facts.id.payload?.[0];
  if (idHeader || idPath) {
    it(`${facts.idSigned ? "refuses" : "takes"} another id (${idHeader ?? idPath}): the id is ${facts.idSigned ? "" : "not "}signed`, async () => {
      const request = await signed(c);
      if (idHeader) request.headers[idHeader] = "case-id-2";
      else request.rawBody = rewrite(request.rawBody, (fields) => setPath(fields, idPath!, "case-id-2"));
      if (facts.idSigned) await expectCode(check(c, request), "signature_mismatch");
      else await expect(check(c, request)).resolves.toMatchObject({ id: "case-id-2" });
    });
  }

  if (facts.signsUrl) {
    it("refuses another URL: the URL is signed", async () => {
      const request = await signed(c);
      await expectCode(
        check(c, { ...request, url: "https://hooks.example.com/in/other" }),
        "signature_mismatch",
      );
    });
  } else {
    it("takes any URL: the URL is not signed", async () => {
      const request = await signed(c);
      await expect(check(c, { ...request, url: "https://other.example.net/x" })).resolves.toBeDefined();
    });
  }

  it("keeps its credential out of journal rows and queued jobs; credential headers carry the secret", async () => {
    const request = await signed(c);
    for (const header of facts.credentialHeaders) {
      const value = request.headers[header]!;
      expect(value.includes(c.secret) || value.includes(btoa(c.secret))).toBe(true);
    }
    // Every header carrying the secret as is is a declared credential header.
    for (const [header, value] of Object.entries(request.headers)) {
      if (value.includes(c.secret)) expect(facts.credentialHeaders).toContain(header);
    }
    // What a receiver keeps and hands on — journal rows, queued jobs — never holds the secret.
    const jobs: QueuedDelivery[] = [];
    const queue: Queue = { enqueue: async (job) => void jobs.push(job) };
    const journal = memoryJournal();
    const receiver = receiverFor(c, () => {}, { queue, journal });
    expect((await post(receiver, request)).status).toBe(202);
    const { entries } = await journal.list();
    const rows = await Promise.all(entries.map((entry) => journal.get(entry.key)));
    expect(jobs.length).toBeGreaterThan(0);
    expect(rows.length).toBeGreaterThan(0);
    const kept = JSON.stringify([jobs, rows, entries]);
    expect(kept).not.toContain(c.secret);
    expect(kept).not.toContain(btoa(c.secret));
  });

  it("is answered 415 for a content type its senders never send, and handled for its own", async () => {
    const receiver = receiverFor(c);
    const request = await signed(c);
    const other = ["text/html", "application/xml", "text/csv"].find((t) => !facts.contentTypes.includes(t))!;
    const refused = await post(receiver, {
      ...request,
      headers: { ...request.headers, "content-type": other },
    });
    expect(refused.status).toBe(415);
    expect((await post(receiver, request)).status).toBe(200);
  });

  const { deadline } = facts;
  if (deadline) {
    it(`answers before its sender's ${deadline.ms} ms timeout by default${deadline.deferred ? ", with its deferred reply" : ""}`, async () => {
      vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
      try {
        const gate = latch();
        const request = await signed(c);
        const type = (await check(c, request)).type;
        const pending = new Promise((resolve) => setImmediate(() => resolve("still waiting")));
        const answers = [];
        for (const make of [
          (slow: () => Promise<void>) => receiverFor(c, slow),
          (slow: () => Promise<void>) => receiverFor(c).respond(type, slow),
        ]) {
          const started = latch();
          const answer = post(
            make(() => {
              started.resolve();
              return gate.promise;
            }),
            request,
          );
          await started.promise;
          // One millisecond before the sender gives up, the receiver has answered.
          await vi.advanceTimersByTimeAsync(deadline.ms - 1);
          answers.push(await Promise.race([answer, pending]));
        }
        gate.resolve();
        expect(answers[0]).toMatchObject({ status: 202 });
        if (deadline.deferred) {
          const body = deadline.deferred.body;
          expect(answers[1]).toMatchObject({
            status: 200,
            body: typeof body === "string" ? body : JSON.stringify(body),
          });
        }
      } finally {
        vi.useRealTimers();
      }
    });
  }

  if (facts.eventTime) {
    it(`orders by its event time (${facts.eventTime.payload}) by default`, async () => {
      const receiver = receiverFor(c, () => {}, { ordering: { key: () => "resource-1" } });
      const newer = await signed(c, { id: "case-id-newer", eventTime: new Date(NOW.getTime() - 1000) });
      const older = await signed(c, { id: "case-id-older", eventTime: new Date(NOW.getTime() - 60_000) });
      expect(JSON.parse((await post(receiver, newer)).body)).toMatchObject({ status: "handled" });
      expect(JSON.parse((await post(receiver, older)).body)).toMatchObject({ status: "stale" });
    });
  }
});

describe.each([["Web Crypto", true]])("every scheme with %s", (_backend, web) => {
  beforeAll(() => forceWebCrypto(web));
  afterAll(() => forceWebCrypto(false));
  it.each(cases.map((c) => [c.name, c] as const))(
    "%s signs and verifies; another secret is refused",
    async (_name, c) => {
      await expect(check(c, await signed(c))).resolves.toMatchObject({ scheme: c.name });
      await expectCode(check(c, await signed(c, { scheme: c.forger })), "signature_mismatch");
    },
  );
});
