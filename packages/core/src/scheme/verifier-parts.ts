import type { Chunk } from "../internal/crypto.js";
import type { DecodedSecret } from "../internal/secrets.js";
import type { HeadersInput, VerifyInput } from "../types.js";
import type { BodySignatureRead } from "./body-signature.js";
import type { CertificateKeys } from "./certificate-source.js";
import type { ContentContext, SchemeDefinition } from "./definition.js";
import type { Candidate, CandidateRead } from "./signature-headers.js";

// What the verify steps share (check-request, verify-signature, read-delivery): the compiled
// parts of a scheme, what one request's check found, and how a signature names a delivery.

/** What `createVerifier` and its steps need, compiled once by `defineScheme`. */
export interface VerifierParts {
  definition: SchemeDefinition;
  /** The decoded secrets, or, for per-request secrets, a function of the unverified request giving them. */
  secrets:
    | readonly DecodedSecret[]
    | ((
        input: VerifyInput,
        checked: Checked,
      ) => readonly DecodedSecret[] | Promise<readonly DecodedSecret[]>);
  /** Where a certificate scheme's keys come from (see `SchemeDefinition.certificate`). */
  certificates?: CertificateKeys | undefined;
  rawSecrets: readonly string[];
  readSignatures: (headers: HeadersInput) => CandidateRead;
  /** Reads a body-carried signature (and parses the body) where the scheme has one. */
  readBodySignature: ((body: Uint8Array) => BodySignatureRead) | undefined;
  content: (context: ContentContext) => Promise<Chunk[][]> | Chunk[][];
  parse: (text: string, contentType: string | undefined) => unknown;
  /** `X-Hub-Signature-256`, or `Webhook-Signature / Svix-Signature`, for messages. */
  signatureLabel: string;
  /** Whether the signed content includes the delivery id header. */
  signsId: boolean;
}

/** What one request's checks found before any crypto: read once, then handed to each step. */
export interface Checked {
  body: Uint8Array;
  candidates: Candidate[];
  timestampMs: number | undefined;
  contentType: string | undefined;
  contents: Chunk[][] | Promise<Chunk[][]>;
  /** The canonical URL of the certificate whose key verifies (certificate schemes). */
  certificateUrl?: string | undefined;
  /** The body as parsed to read a body-carried signature, so it is parsed once. */
  parsed?: { payload: unknown } | undefined;
}

const HEX_DIGITS = "0123456789abcdef";

/** A signature's bytes as lower-case hex: the id of a delivery whose scheme has no other. */
export function signatureId(bytes: Uint8Array): string {
  let out = "";
  for (const byte of bytes) out += HEX_DIGITS[byte >> 4]! + HEX_DIGITS[byte & 15]!;
  return out;
}
