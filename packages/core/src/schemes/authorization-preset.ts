import { utf8Key } from "../internal/secrets.js";
import type { SchemeDefinition, ValueSource } from "../scheme/definition.js";
import type { SecretInput } from "../types.js";

/** Options for {@link basicAuth} and {@link bearerToken}: a shared credential in `Authorization`. */
export interface AuthorizationSchemeOptions {
  /** The credential the sender is given, or several during rotation (see each preset for its form). */
  secret: SecretInput;
  /** Name used in errors and idempotency keys. @default the preset's own: `basic-auth`, `bearer-token` */
  name?: string;
  /**
   * The delivery id: a header name, or a source. A shared credential is the same on every
   * delivery, so the id must come from the request.
   * @default the `Idempotency-Key` header, else the payload's `id`
   */
  id?: string | ValueSource;
  /** The event type: a header name, or a source. @default { payload: "type" } */
  type?: string | ValueSource;
  /** @default ["application/json"] */
  contentTypes?: readonly string[];
}

const source = (value: string | ValueSource | undefined, fallback: ValueSource): ValueSource =>
  value === undefined ? fallback : typeof value === "string" ? { header: value.toLowerCase() } : value;

/**
 * A sender authenticated by a shared credential in `Authorization: <scheme> <credential>`, the
 * scheme name in any case, compared in constant time (an engine `token`). It covers no byte of the
 * body: `facts` say so, `authorization` is a credential header journals and queues never keep,
 * and the engine binds each id to the first body it sees. Use HTTPS.
 */
export function authorizationPreset(
  name: string,
  authScheme: "Basic" | "Bearer",
  encoding: "base64" | "text",
  options: AuthorizationSchemeOptions,
): SchemeDefinition {
  return {
    name: options.name ?? name,
    signatures: [
      {
        header: "authorization",
        format: { type: "plain", prefix: `${authScheme} `, prefixAnyCase: true },
        algorithm: "token",
        encoding,
      },
    ],
    content: "{body}",
    key: utf8Key,
    id: source(options.id, { header: "idempotency-key", payload: "id" }),
    type: source(options.type, { payload: "type" }),
    ...(options.contentTypes ? { contentTypes: options.contentTypes } : {}),
  };
}
