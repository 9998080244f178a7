import { utf8Key } from "../internal/secrets.js";
import { defineScheme } from "../scheme/define-scheme.js";
import type { HandshakeReply, HeaderSigningScheme, SecretInput } from "../types.js";

/** Options for {@link dropbox}. */
export interface DropboxSchemeOptions {
  /** The app secret, or several during rotation. */
  secret: SecretInput;
}

/**
 * Dropbox: `X-Dropbox-Signature: <hex>`, HMAC-SHA256 over the body keyed by the app secret. A
 * notification only says which accounts changed (`list_folder.accounts`); it is typed
 * `list_folder` and keyed by its signature. The verification request — a GET with `?challenge=` —
 * is answered with the challenge as text/plain (and `X-Content-Type-Options: nosniff`).
 * (https://www.dropbox.com/developers/reference/webhooks)
 */
export function dropbox(options: DropboxSchemeOptions): HeaderSigningScheme {
  return defineScheme(
    {
      name: "dropbox",
      signatures: [
        { header: "x-dropbox-signature", format: { type: "plain" }, algorithm: "sha256", encoding: "hex" },
      ],
      content: "{body}",
      key: utf8Key,
      type: () => "list_folder",
      challenge: ({ method, url }): HandshakeReply | undefined => {
        if (method !== "GET" || !url) return undefined;
        // The query alone matters; a URL that does not parse (a hostile Host) is no challenge.
        const query = url.indexOf("?");
        const challenge = query < 0 ? null : new URLSearchParams(url.slice(query + 1)).get("challenge");
        if (challenge === null || challenge.length > 1024) return undefined;
        return {
          body: challenge,
          contentType: "text/plain",
          headers: { "x-content-type-options": "nosniff" },
        };
      },
    },
    options,
  );
}
