import { WebhookError } from "../errors.js";
import { decodeUtf8, toBase64, toHex, toText } from "../internal/bytes.js";
import {
  type Chunk,
  type CryptoKeyMaterial,
  ecdsaSign,
  ed25519Sign,
  hmac,
  rsaSign,
} from "../internal/crypto.js";
import type { DecodedSecret } from "../internal/secrets.js";
import type { SignedRequest, SignInput, VerifyInput } from "../types.js";
import type { ContentContext, SchemeDefinition, SignatureSpec } from "./definition.js";
import { toRawBytes } from "./raw-bytes.js";
import { formatTimestamp } from "./timestamps.js";
import { headerValueFor } from "./value-sources.js";

/** What {@link createSigner} needs, compiled once by `defineScheme`. */
export interface SignerParts {
  definition: SchemeDefinition;
  /** The keys that sign (the first one is used), or per-request secrets looked up for the URL. */
  keys:
    | readonly DecodedSecret[]
    | ((input: VerifyInput) => readonly DecodedSecret[] | Promise<readonly DecodedSecret[]>);
  content: (context: ContentContext) => Promise<Chunk[][]> | Chunk[][];
  contentTypes: readonly string[];
}

const LOOKS_JSON = /^\s*[[{]/;

/** The sign half of a scheme: the exact headers the provider would send with a body. */
export function createSigner(parts: SignerParts): (input: SignInput) => Promise<Record<string, string>> {
  const { definition, content, contentTypes } = parts;
  const { name } = definition;
  const tsSpec = definition.timestamp;

  return async (input) => {
    const body = toRawBytes(input.rawBody);
    const id = input.id ?? globalThis.crypto.randomUUID();
    const at = input.timestamp ?? new Date();
    const timestamp = tsSpec && !("payload" in tsSpec) ? formatTimestamp(at, tsSpec.unit) : undefined;
    const contentType = input.contentType ?? contentTypeFor(body, contentTypes);
    const [chunks] = await content({
      id,
      timestamp,
      body,
      url: input.url,
      method: "POST",
      contentType,
      signing: true,
    });
    const key = await signingKeyFor(
      { keys: parts.keys, certificate: definition.certificate },
      name,
      input,
      body,
    );

    const headers: Record<string, string> = { "content-type": contentType };
    const fields = new Map<string, string[]>();
    const signatures = definition.signatures ?? [];
    for (const spec of signatures) {
      const signature = await signWith(spec, key, chunks!);
      if (signature === undefined) continue;
      const encoded =
        spec.encoding === "hex"
          ? toHex(signature)
          : spec.encoding === "text"
            ? toText(signature)
            : toBase64(signature);
      const { format } = spec;
      const existing = headers[spec.header];
      if (format.type === "plain") headers[spec.header] = `${format.prefix ?? ""}${encoded}`;
      else if (format.type === "versioned") {
        headers[spec.header] = existing
          ? `${existing} ${format.version},${encoded}`
          : `${format.version},${encoded}`;
      } else {
        const list = fields.get(spec.header) ?? [`${format.timestamp}=${timestamp}`];
        list.push(`${format.signature}=${encoded}`);
        fields.set(spec.header, list);
        headers[spec.header] = list.join(format.separator);
      }
    }
    if (!signatures.some((s) => headers[s.header])) {
      throw new WebhookError(
        "invalid_secret",
        `hookgate: the ${name} scheme has no key that can sign (an Ed25519, ECDSA or RSA public key verifies only; pass the private key to sign)`,
      );
    }
    if (tsSpec && "header" in tsSpec && timestamp !== undefined) headers[tsSpec.header] = timestamp;
    const { id: idSource, type: typeSource } = definition;
    if (idSource && typeof idSource !== "function" && idSource.header) headers[idSource.header] = id;
    if (typeSource && typeof typeSource !== "function" && typeSource.header && input.type !== undefined)
      headers[typeSource.header] = headerValueFor(typeSource, input.type);
    Object.assign(headers, definition.signHeaders?.({ id, type: input.type, timestamp: at }));
    return headers;
  };
}

/** The content type a body is sent with: the one given, else JSON or a form by its bytes, as the scheme sends. */
export function contentTypeFor(body: Uint8Array, contentTypes: readonly string[]): string {
  const looksJson = LOOKS_JSON.test(decodeUtf8(body) ?? "");
  return looksJson && contentTypes.includes("application/json")
    ? "application/json"
    : !looksJson && contentTypes.includes("application/x-www-form-urlencoded")
      ? "application/x-www-form-urlencoded"
      : contentTypes[0]!;
}

/** The first key that signs: the configured one, or a secret function's for the URL. */
export async function signingKeyFor(
  parts: Pick<SignerParts, "keys"> & { certificate?: unknown },
  name: string,
  input: SignInput,
  body: Uint8Array,
): Promise<CryptoKeyMaterial> {
  const keys =
    typeof parts.keys === "function"
      ? await parts.keys({ headers: {}, rawBody: body, url: input.url })
      : parts.keys;
  if (keys.length === 0 && parts.certificate) {
    throw new WebhookError(
      "invalid_option",
      `hookgate: ${name} signs with its certificate's private key: to sign test deliveries, configure the scheme's signing key (an RSA private key, PEM) and the certificate URL your fetchCertificate serves`,
    );
  }
  if (keys.length === 0) {
    throw new WebhookError(
      "invalid_secret",
      `hookgate: the ${name} secret function returned no secret for ${input.url ?? "a request without a url"}; pass a url it knows, or sign with scheme.withSigningKey(secret)`,
    );
  }
  return keys[0]!.key;
}

async function signWith(
  spec: SignatureSpec,
  key: CryptoKeyMaterial,
  chunks: Chunk[],
): Promise<Uint8Array | undefined> {
  if (spec.algorithm === "ed25519")
    return key.kind === "ed25519" && key.seed ? ed25519Sign(key, chunks) : undefined;
  if (spec.algorithm === "ecdsa-p256-sha256")
    return key.kind === "ecdsa" && key.pkcs8 ? ecdsaSign(key, chunks) : undefined;
  if (spec.algorithm === "rsa-sha1" || spec.algorithm === "rsa-sha256")
    return key.kind === "rsa-private"
      ? rsaSign(spec.algorithm === "rsa-sha1" ? "sha1" : "sha256", key, chunks)
      : undefined;
  // A token scheme sends the secret itself.
  if (spec.algorithm === "token") return key.kind === "hmac" ? key.bytes : undefined;
  return key.kind === "hmac" ? hmac(spec.algorithm, key, chunks) : undefined;
}

/**
 * `signRequest` for a scheme whose signature travels in headers: the body unchanged, with the
 * headers `sign` makes for it.
 */
export function headerSignedRequest(
  sign: (input: SignInput) => Promise<Record<string, string>>,
): (input: SignInput) => Promise<SignedRequest> {
  return async (input) => ({ headers: await sign(input), rawBody: toRawBytes(input.rawBody) });
}
