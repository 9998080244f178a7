import { utf8Key } from "../internal/secrets.js";
import { defineScheme } from "../scheme/define-scheme.js";
import type { HeaderSigningScheme, SecretInput } from "../types.js";

/** Options for {@link gitlab}. */
export interface GitlabSchemeOptions {
  /** The webhook's secret token, or several during rotation. */
  secret: SecretInput;
}

/**
 * GitLab: no signature — `X-Gitlab-Token` carries the webhook's secret token, compared in constant
 * time. The id is `Idempotency-Key` (stable across retries; `X-Gitlab-Event-UUID` on older
 * versions); the type is `object_kind` plus `object_attributes.action` where present
 * (`merge_request.open`). The body is not signed: use HTTPS.
 * (https://docs.gitlab.com/user/project/integrations/webhooks/#validate-requests-with-a-secret-token)
 */
export function gitlab(options: GitlabSchemeOptions): HeaderSigningScheme {
  return defineScheme(
    {
      name: "gitlab",
      signatures: [
        { header: "x-gitlab-token", format: { type: "plain" }, algorithm: "token", encoding: "text" },
      ],
      content: "{body}",
      key: utf8Key,
      id: { header: "idempotency-key", aliases: ["x-gitlab-event-uuid"] },
      type: { payload: ["object_kind", "event_name"], action: "object_attributes.action" },
      signHeaders: ({ id }) => ({ "x-gitlab-event-uuid": id, "x-gitlab-instance": "https://gitlab.com" }),
    },
    options,
  );
}
