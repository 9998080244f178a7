import { defineScheme } from "../scheme/define-scheme.js";
import type { HeaderSigningScheme } from "../types.js";
import { type AuthorizationSchemeOptions, authorizationPreset } from "./authorization-preset.js";

/**
 * HTTP Basic authentication as a webhook scheme: `Authorization: Basic <base64(user:password)>`,
 * the credential (`secret`, written `user:password`) compared in constant time. For senders that
 * can only be given a URL with credentials (many no-code tools, some partners). The body is not
 * signed: see {@link AuthorizationSchemeOptions} for the id and type, and use HTTPS.
 * (https://www.rfc-editor.org/rfc/rfc7617)
 *
 * @example
 * schemes.basicAuth({ secret: `hooks:${process.env.HOOKS_PASSWORD}`, id: "x-request-id" })
 */
export function basicAuth(options: AuthorizationSchemeOptions): HeaderSigningScheme {
  return defineScheme(authorizationPreset("basic-auth", "Basic", "base64", options), {
    secret: options.secret,
  });
}
