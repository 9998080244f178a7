import { generateKeyPairSync, type KeyObject, randomBytes } from "node:crypto";
import { isWebhookError } from "@hookgate/core";
import { afterAll, beforeAll, describe, expect, vi } from "vitest";
import { forceWebCrypto } from "../../packages/core/src/internal/crypto.js";

/** Both crypto back ends hookgate can run on; every interop suite runs once per entry. */
export const cryptoBackends = [
  ["node:crypto", false],
  ["Web Crypto", true],
] as const;

/**
 * Runs `suite` once with node:crypto and once with hookgate forced onto Web Crypto (the edge path).
 * The first test of each run checks that the back end really is the one named, so a switch
 * that silently stops working fails loudly instead of running the same path twice.
 */
export function describeEachCryptoBackend(title: string, suite: (backend: string) => void): void {
  describe.each(cryptoBackends)(`${title} (%s)`, (backend, webCrypto) => {
    beforeAll(() => forceWebCrypto(webCrypto));
    afterAll(() => forceWebCrypto(false));
    suite(backend);
  });
}

/**
 * Asserts that `run` goes through Web Crypto exactly when the suite forces it: it spies on
 * `crypto.subtle` and counts calls. Call it inside a test; `run` should make hookgate hash or sign.
 */
export async function expectCryptoBackend(backend: string, run: () => Promise<unknown>): Promise<void> {
  const subtle = globalThis.crypto.subtle;
  const calls = [vi.spyOn(subtle, "sign"), vi.spyOn(subtle, "verify"), vi.spyOn(subtle, "importKey")];
  try {
    await run();
    const used = calls.some((spy) => spy.mock.calls.length > 0);
    expect(used, `hookgate should ${backend === "Web Crypto" ? "" : "not "}use crypto.subtle`).toBe(
      backend === "Web Crypto",
    );
  } finally {
    for (const spy of calls) spy.mockRestore();
  }
}

/**
 * The HTTP status DESIGN.md's "Errors and answers" table promises for each code these suites
 * expect; written out here rather than read from core, so a wrong mapping in core fails.
 */
const EXPECTED_STATUS = {
  signature_mismatch: 401,
  timestamp_too_old: 401,
  timestamp_in_future: 401,
  missing_signature: 400,
  malformed_signature: 400,
  invalid_payload: 400,
  url_required: 500,
} as const;

/** Asserts a hookgate rejection: a WebhookError with this code and its documented HTTP status. */
export async function expectRejected(
  promise: Promise<unknown>,
  code: keyof typeof EXPECTED_STATUS,
): Promise<void> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isWebhookError(error), "expected a WebhookError rejection").toBe(true);
  expect(error).toMatchObject({ name: "WebhookError", code, status: EXPECTED_STATUS[code] });
}

/** A fixed clock for deterministic timestamps (2025-06-15T12:00:00Z). */
export const FIXED_NOW_SECONDS = 1_750_000_000;
export const fixedNow = new Date(FIXED_NOW_SECONDS * 1000);
/** Seconds since the epoch → Date. */
export const at = (seconds: number): Date => new Date(seconds * 1000);
/** hookgate's default freshness window, in seconds. */
export const DEFAULT_TOLERANCE = 300;

/** A random printable secret with the given prefix (Stripe `whsec_…`, GitHub, Twilio tokens). */
export function randomSecret(prefix = ""): string {
  return `${prefix}${randomBytes(24).toString("hex")}`;
}

/** A random Standard Webhooks / Svix HMAC key: the base64 part, without `whsec_`. */
export function randomStandardKey(): string {
  return randomBytes(32).toString("base64");
}

/** The same bytes with one character changed: what a proxy or an attacker alters. */
export function tamper(body: string): string {
  const i = body.length - 2;
  return `${body.slice(0, i)}${body[i] === "1" ? "2" : "1"}${body.slice(i + 1)}`;
}

/** A fresh Ed25519 key pair, in every encoding the providers use. */
export interface Ed25519Pair {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** The 32-byte private seed. */
  seed: Buffer;
  /** The 32-byte raw public key. */
  raw: Buffer;
  seedHex: string;
  publicHex: string;
  seedBase64: string;
  publicBase64: string;
}

export function ed25519Pair(): Ed25519Pair {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  const jwk = privateKey.export({ format: "jwk" });
  const seed = Buffer.from(jwk.d!, "base64url");
  const raw = Buffer.from(jwk.x!, "base64url");
  return {
    privateKey,
    publicKey,
    seed,
    raw,
    seedHex: seed.toString("hex"),
    publicHex: raw.toString("hex"),
    seedBase64: seed.toString("base64"),
    publicBase64: raw.toString("base64"),
  };
}

/** Renames `webhook-*` headers to their `svix-*` aliases, as Svix sends them. */
export function asSvixHeaders(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) out[name.replace(/^webhook-/, "svix-")] = value;
  return out;
}

/** A header from a `sign()` result that must be present. */
export function header(headers: Record<string, string>, name: string): string {
  const value = headers[name];
  expect(value, `the ${name} header`).toBeTypeOf("string");
  return value!;
}
