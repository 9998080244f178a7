import type { HmacHash } from "../internal/crypto.js";
import { base64Key, hexKey, utf8Key } from "../internal/secrets.js";
import { defineScheme } from "../scheme/define-scheme.js";
import type { ValueSource } from "../scheme/definition.js";
import type { HeaderSigningScheme, SecretInput } from "../types.js";
import type { SchemeSigningOptions } from "./signing-options.js";

/** Options for {@link hmac}: a partner's or your own HMAC signature convention. */
export interface HmacSchemeOptions {
  /** Name used in errors and idempotency keys. @default "hmac" */
  name?: string;
  /** The shared secret, or several during rotation. */
  secret: SecretInput;
  /** How the secret string becomes key bytes. @default "utf8" */
  keyEncoding?: "utf8" | "hex" | "base64";
  /** The signature header, e.g. `x-signature`. */
  header: string;
  /** @default "sha256" */
  algorithm?: HmacHash;
  /** @default "hex" */
  encoding?: "hex" | "base64";
  /** A prefix before the signature, e.g. `sha256=`. */
  prefix?: string;
  /** A header carrying the signed timestamp; enables freshness checks. */
  timestampHeader?: string;
  /** @default "s" */
  timestampUnit?: "s" | "ms";
  /**
   * What is signed, over `{id}`, `{timestamp}`, `{body}`, `{url}`.
   * @default "{timestamp}.{body}" with a timestamp header, else "{body}"
   */
  content?: string;
  /** The delivery id: a header name, or a source. Falls back to the signature itself. */
  id?: string | ValueSource;
  /** The event type: a header name, or a source. @default { payload: "type" } */
  type?: string | ValueSource;
  /** @default ["application/json"] */
  contentTypes?: readonly string[];
}

const KEY_DECODERS = { utf8: utf8Key, hex: hexKey, base64: base64Key };

function source(value: string | ValueSource | undefined): ValueSource | undefined {
  return typeof value === "string" ? { header: value.toLowerCase() } : value;
}

/**
 * Any HMAC signature convention, configured: header, algorithm, encoding, prefix, optional
 * timestamp header and signed-content template.
 *
 * @example
 * schemes.hmac({ secret, header: "x-acme-signature", prefix: "sha256=", timestampHeader: "x-acme-timestamp" })
 */
export function hmac(options: HmacSchemeOptions): HeaderSigningScheme {
  const timestampHeader = options.timestampHeader?.toLowerCase();
  const id = source(options.id);
  return defineScheme(
    {
      name: options.name ?? "hmac",
      signatures: [
        {
          header: options.header.toLowerCase(),
          format: options.prefix ? { type: "plain", prefix: options.prefix } : { type: "plain" },
          algorithm: options.algorithm ?? "sha256",
          encoding: options.encoding ?? "hex",
        },
      ],
      ...(timestampHeader
        ? { timestamp: { header: timestampHeader, unit: options.timestampUnit ?? "s" } }
        : {}),
      content: options.content ?? (timestampHeader ? "{timestamp}.{body}" : "{body}"),
      key: KEY_DECODERS[options.keyEncoding ?? "utf8"],
      ...(id ? { id } : {}),
      type: source(options.type) ?? { payload: "type" },
      ...(options.contentTypes ? { contentTypes: options.contentTypes } : {}),
    },
    options,
  );
}

/** A custom convention is described by its options: `schemeForSecret` needs at least its header. */
hmac.signingOptions = ["header"] as const;
/** An `hmac` scheme for `schemeForSecret`: the header, and optionally a prefix and a timestamp header. */
hmac.fromSigningSecret = (secret: string, options: SchemeSigningOptions): HeaderSigningScheme =>
  hmac({
    secret,
    header: options.header!,
    ...(options.prefix !== undefined ? { prefix: options.prefix } : {}),
    ...(options.timestampHeader !== undefined ? { timestampHeader: options.timestampHeader } : {}),
  });
