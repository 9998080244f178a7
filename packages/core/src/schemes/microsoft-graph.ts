import { utf8Key } from "../internal/secrets.js";
import { defineScheme } from "../scheme/define-scheme.js";
import type { ChallengeRequest, HandshakeReply, Scheme, SecretInput } from "../types.js";
import { splitBatch } from "./batches.js";

/** Options for {@link microsoftGraph}. */
export interface MicrosoftGraphSchemeOptions {
  /** The `clientState` set on the subscription (at most 255 characters), or several during rotation. */
  clientState: SecretInput;
}

type Notification = Record<string, unknown>;

const text = (value: unknown) => (typeof value === "string" && value !== "" ? value : undefined);
const notifications = (payload: unknown): readonly unknown[] => {
  const value = (payload as Record<string, unknown> | null)?.value;
  return Array.isArray(value) ? value : [];
};
/** A change notification's type (`created`, `updated`, `deleted`), or a lifecycle notification's (`reauthorizationRequired`). */
const typeOf = (item: Notification) => text(item.lifecycleEvent) ?? text(item.changeType);
/**
 * A notification's own `id` where Graph sends one; otherwise its subscription, change and
 * resource — with the resource's `@odata.etag` where there is one, so two updates of one
 * resource stay two deliveries while a redelivery of either is a duplicate.
 */
function idOf(item: Notification): string | undefined {
  const own = text(item.id);
  if (own) return own;
  const subscription = text(item.subscriptionId);
  const resource = text(item.resource);
  if (!subscription || !resource) return undefined;
  const data = item.resourceData as Record<string, unknown> | undefined;
  const etag = text(data?.["@odata.etag"]);
  return [subscription, typeOf(item) ?? "", resource, ...(etag ? [etag] : [])].join(":");
}

/**
 * The validation request Graph sends when a subscription is created or renewed: a POST with
 * `?validationToken=…`, answered 200 with the token, decoded, as `text/plain` (never HTML).
 */
function validation({ method, url }: ChallengeRequest): HandshakeReply | undefined {
  if (method !== "POST" || !url) return undefined;
  const query = url.indexOf("?");
  if (query < 0) return undefined;
  const token = new URLSearchParams(url.slice(query + 1)).get("validationToken");
  if (token === null || token.length > 1024) return undefined;
  return {
    body: token,
    contentType: "text/plain; charset=utf-8",
    headers: { "x-content-type-options": "nosniff" },
  };
}

/**
 * Microsoft Graph change notifications: no signature — every notification of `value[]` carries
 * the subscription's `clientState`, compared in constant time with the configured one (all must
 * match). It is a shared secret in the body: deliveries carry it redacted, so journals and queued
 * jobs never keep it. A request batches notifications: `split` makes one delivery per item, typed
 * by its `changeType` (`created`, `updated`, `deleted`) or `lifecycleEvent`, keyed by its `id` or
 * by subscription, change, resource and etag. The validation request (`?validationToken=`) is
 * echoed as text. Rich notifications' `validationTokens` (JWTs) are not checked here.
 * (https://learn.microsoft.com/graph/change-notifications-delivery-webhooks)
 *
 * @example
 * const scheme = schemes.microsoftGraph({ clientState: process.env.GRAPH_CLIENT_STATE! });
 */
export function microsoftGraph(options: MicrosoftGraphSchemeOptions): Scheme {
  return defineScheme(
    {
      name: "microsoft-graph",
      bodySignature: {
        json: "value",
        each: true,
        signature: "clientState",
        fields: [],
        algorithm: "token",
        encoding: "text",
      },
      content: "",
      key: utf8Key,
      id: ({ payload }) => {
        const all = notifications(payload).map((item) => idOf(item as Notification));
        return all.length === 1 ? all[0] : all.every(Boolean) ? `batch:${all[0]}:${all.length}` : undefined;
      },
      type: ({ payload }) => {
        const all = notifications(payload);
        return all.length === 1 ? typeOf(all[0] as Notification) : "batch";
      },
      split: splitBatch({ events: notifications, id: idOf, type: typeOf }),
      challenge: validation,
    },
    { secret: options.clientState, optionName: "clientState" },
  );
}
/** Built from a CLI secret: the secret is the `clientState`. */
microsoftGraph.secretOption = "clientState" as const;
