import { WebhookError } from "../errors.js";
import { sha256, timingSafeEqual } from "../internal/crypto.js";
import { utf8Key } from "../internal/secrets.js";
import { defineScheme } from "../scheme/define-scheme.js";
import type { ChallengeRequest, HandshakeReply, HeaderSigningScheme, SecretInput } from "../types.js";
import { splitBatch } from "./batches.js";

/** Options for {@link meta}. */
export interface MetaSchemeOptions {
  /** The app secret, or several during rotation. */
  secret: SecretInput;
  /**
   * The Verify Token entered with the callback URL: the `hub.verify_token` Meta's GET
   * verification request must carry before its `hub.challenge` is echoed. Without it, that
   * request is refused (403).
   */
  verifyToken?: string;
}

/** One change (or Messenger `messaging` event) of a notification: what each split delivery carries. */
interface MetaChange {
  object: unknown;
  entry: { id: unknown; time: unknown };
  field: string;
  value: Record<string, unknown>;
}

const record = (value: unknown): Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
const list = (value: unknown): readonly unknown[] => (Array.isArray(value) ? value : []);
/** A Messenger event's kind: its one key besides who sent it and when (`message`, `postback`, `read`, …). */
const ENVELOPE = new Set(["sender", "recipient", "timestamp"]);

/** Every change of every entry, in order: `entry[].changes[]`, and Messenger's `entry[].messaging[]`. */
function changes(payload: unknown): MetaChange[] {
  const { object } = record(payload);
  return list(record(payload).entry).flatMap((item) => {
    const entry = record(item);
    const at = { id: entry.id, time: entry.time };
    const fromChanges = list(entry.changes).map((c): MetaChange => {
      const change = record(c);
      return { object, entry: at, field: String(change.field ?? ""), value: record(change.value) };
    });
    const fromMessaging = list(entry.messaging).map((m): MetaChange => {
      const event = record(m);
      const field = Object.keys(event).find((key) => !ENVELOPE.has(key)) ?? "messaging";
      return { object, entry: at, field, value: event };
    });
    return [...fromChanges, ...fromMessaging];
  });
}

const typeOf = (change: MetaChange) =>
  typeof change.object === "string" && change.field ? `${change.object}.${change.field}` : undefined;

/**
 * A change's own id where Meta gives one, so a change re-sent in another batch is still a
 * duplicate: the WhatsApp message id (`wamid…`), a status's message id and status, a Messenger
 * message's `mid`. Otherwise undefined: the split keys it by the batch and its position.
 */
function changeId({ field, value }: MetaChange): string | undefined {
  const messages = list(value.messages);
  const statuses = list(value.statuses);
  if (messages.length === 1 && statuses.length === 0) {
    const id = record(messages[0]).id;
    if (typeof id === "string" && id) return id;
  }
  if (statuses.length === 1 && messages.length === 0) {
    const { id, status } = record(statuses[0]);
    if (typeof id === "string" && id && typeof status === "string") return `${id}:${status}`;
  }
  if (field === "message") {
    const mid = record(value.message).mid;
    if (typeof mid === "string" && mid) return mid;
  }
  return undefined;
}

/** Equal tokens in time that depends on neither's length or contents. */
async function sameToken(a: string, b: string): Promise<boolean> {
  const [x, y] = await Promise.all([sha256([a]), sha256([b])]);
  return timingSafeEqual(x, y);
}

/** The GET `hub.mode=subscribe` verification request, answered with `hub.challenge` as text. */
function verification(verifyToken: string | undefined) {
  return async ({ method, url }: ChallengeRequest): Promise<HandshakeReply | undefined> => {
    if (method !== "GET" || !url) return undefined;
    const query = url.indexOf("?");
    if (query < 0) return undefined;
    const params = new URLSearchParams(url.slice(query + 1));
    if (params.get("hub.mode") !== "subscribe") return undefined;
    const challenge = params.get("hub.challenge");
    const token = params.get("hub.verify_token");
    if (verifyToken === undefined) {
      throw new WebhookError(
        "handshake_refused",
        "hookgate: Meta's verification request was refused: configure schemes.meta({ secret, verifyToken }) with the Verify Token set beside the callback URL",
      );
    }
    if (challenge === null || challenge.length === 0 || challenge.length > 1024) {
      throw new WebhookError(
        "handshake_refused",
        "hookgate: Meta's verification request has no usable hub.challenge",
      );
    }
    if (token === null || !(await sameToken(token, verifyToken))) {
      throw new WebhookError(
        "handshake_refused",
        "hookgate: Meta's verification request carries another hub.verify_token than the configured verifyToken",
      );
    }
    return { body: challenge, contentType: "text/plain", headers: { "x-content-type-options": "nosniff" } };
  };
}

/**
 * Meta webhooks (WhatsApp Business, Instagram, Messenger, Pages): `X-Hub-Signature-256:
 * sha256=<hex>`, HMAC-SHA256 over the body keyed by the app secret. A notification batches
 * `entry[].changes[]` (and Messenger's `entry[].messaging[]`): `split` makes one delivery per
 * change, typed `<object>.<field>` (`whatsapp_business_account.messages`, `page.message`), its
 * payload `{ object, entry: { id, time }, field, value }`, keyed by the WhatsApp message id (and
 * status) or Messenger `mid` where there is one, else by the batch and its position. No id or
 * timestamp is sent: a batch is keyed by its signature. The GET verification request
 * (`hub.mode=subscribe`) is answered with `hub.challenge` only when `hub.verify_token` equals
 * `verifyToken` (constant time).
 * (https://developers.facebook.com/docs/graph-api/webhooks/getting-started)
 */
export function meta(options: MetaSchemeOptions): HeaderSigningScheme {
  return defineScheme(
    {
      name: "meta",
      signatures: [
        {
          header: "x-hub-signature-256",
          format: { type: "plain", prefix: "sha256=" },
          algorithm: "sha256",
          encoding: "hex",
        },
      ],
      content: "{body}",
      key: utf8Key,
      type: ({ payload }) => {
        const all = changes(payload);
        return all.length === 1 ? typeOf(all[0]!) : "batch";
      },
      split: splitBatch({
        events: changes,
        id: (change) => changeId(change as unknown as MetaChange),
        type: (change) => typeOf(change as unknown as MetaChange),
      }),
      challenge: verification(options.verifyToken),
    },
    { secret: options.secret },
  );
}
