import { getHeader } from "../internal/headers.js";
import { utf8Key } from "../internal/secrets.js";
import { defineScheme } from "../scheme/define-scheme.js";
import type { SignatureSpec } from "../scheme/definition.js";
import type { HeaderSigningScheme, SecretInput } from "../types.js";
import { parseGithubPayload } from "./shared.js";

/** Options for {@link github}. */
export interface GithubSchemeOptions {
  /** The webhook secret, or several during rotation. */
  secret: SecretInput;
  /**
   * Also accept the legacy SHA-1 `X-Hub-Signature` when `X-Hub-Signature-256` is absent.
   * Only for old GitHub Enterprise Server versions; SHA-1 is weaker.
   * @default false
   */
  allowSha1?: boolean;
}

/**
 * GitHub: `X-Hub-Signature-256: sha256=<hex>`, HMAC-SHA256 over the body. The id is
 * `X-GitHub-Delivery`; the type is `X-GitHub-Event` plus the payload's `action`
 * (`issues.opened`), so a handler for `issues` receives every issues action.
 * GitHub sends no timestamp: replays are stopped by the delivery-id dedupe.
 * (https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries)
 */
export function github(options: GithubSchemeOptions): HeaderSigningScheme {
  const signatures: SignatureSpec[] = [
    {
      header: "x-hub-signature-256",
      format: { type: "plain", prefix: "sha256=" },
      algorithm: "sha256",
      encoding: "hex",
    },
  ];
  if (options.allowSha1) {
    signatures.push({
      header: "x-hub-signature",
      format: { type: "plain", prefix: "sha1=" },
      algorithm: "sha1",
      encoding: "hex",
      fallback: true,
    });
  }
  return defineScheme(
    {
      name: "github",
      signatures,
      content: "{body}",
      key: utf8Key,
      id: { header: "x-github-delivery" },
      type: { header: "x-github-event", action: "action" },
      // GitHub can also deliver `application/x-www-form-urlencoded` with the JSON in `payload`.
      contentTypes: ["application/json", "application/x-www-form-urlencoded"],
      parse: parseGithubPayload,
      signHeaders: () => ({ "user-agent": "GitHub-Hookshot/hookgate" }),
      // "GitHub expects your server to respond within 10 seconds" and does not redeliver on its own.
      // (https://docs.github.com/en/webhooks/using-webhooks/best-practices-for-using-webhooks#respond-within-10-seconds)
      deadline: { ms: 10_000 },
      missingHint: (headers) =>
        !options.allowSha1 && getHeader(headers, "x-hub-signature") !== undefined
          ? "Only the legacy SHA-1 X-Hub-Signature was sent (old GitHub Enterprise Server); accept it with schemes.github({ secret, allowSha1: true })"
          : undefined,
    },
    options,
  );
}
