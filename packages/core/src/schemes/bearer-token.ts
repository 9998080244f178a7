import { defineScheme } from "../scheme/define-scheme.js";
import type { HeaderSigningScheme } from "../types.js";
import { type AuthorizationSchemeOptions, authorizationPreset } from "./authorization-preset.js";

/**
 * A shared bearer token as a webhook scheme: `Authorization: Bearer <token>` (RFC 6750's form),
 * the token (`secret`) compared in constant time. The body is not signed: see
 * {@link AuthorizationSchemeOptions} for the id and type, and use HTTPS.
 *
 * @example
 * schemes.bearerToken({ secret: process.env.HOOKS_TOKEN!, type: "x-event-type" })
 */
export function bearerToken(options: AuthorizationSchemeOptions): HeaderSigningScheme {
  return defineScheme(authorizationPreset("bearer-token", "Bearer", "text", options), {
    secret: options.secret,
  });
}
