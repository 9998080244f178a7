import { checkOption } from "../internal/check-option.js";
import { standardWebhooks } from "../schemes/standard-webhooks.js";
import type { Alert, Notifier } from "./types.js";

/** Options shared by the built-in notifiers. */
export interface NotifierOptions {
  /** Longest wait for the endpoint, in ms; past it the alert is dropped (and the promise rejects). @default 5000 */
  timeoutMs?: number;
}

/** Options for {@link webhookNotifier}. */
export interface WebhookNotifierOptions extends NotifierOptions {
  /**
   * Sign each alert as a Standard Webhooks delivery (`webhook-id`, `webhook-timestamp`,
   * `webhook-signature`) with this secret (`whsec_…` or raw), so the receiving end verifies it —
   * with hookgate's own `schemes.standardWebhooks({ secret })`.
   */
  secret?: string;
  /** Extra headers, e.g. an `Authorization` the endpoint wants. */
  headers?: Record<string, string>;
}

/** The URL option of a notifier: an absolute http(s) URL. */
function checkUrl(entry: string, url: unknown): string {
  const ok = typeof url === "string" && URL.canParse(url) && /^https?:$/.test(new URL(url).protocol);
  if (!ok) throw checkOption.fail(`${entry} url`, url, "an http(s) URL");
  return url as string;
}

/** POSTs `body` as JSON; rejects on a non-2xx answer or after `timeoutMs`. */
async function post(url: string, body: string, headers: Record<string, string>, timeoutMs: number) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body,
    signal: AbortSignal.timeout(timeoutMs),
  });
  await response.body?.cancel();
  if (!response.ok) throw new Error(`hookgate: the alert endpoint answered ${response.status}`);
}

function timeoutOf(entry: string, options: NotifierOptions | undefined): number {
  checkOption.object(entry, options);
  return checkOption.whole(`${entry} option timeoutMs`, options?.timeoutMs, 5000);
}

/** An alert as one line of text, for chat notifiers. */
function line(alert: Alert): string {
  const icon = alert.kind === "recovered" ? "✅" : "⚠️";
  return `${icon} [${alert.kind}] ${alert.message}`;
}

/**
 * Sends each alert as JSON (`{ kind, scheme, message, at, deliveryId?, count? }`) to your endpoint,
 * signed as a Standard Webhooks delivery when `secret` is given.
 *
 * @example
 * createReceiver({ scheme, alerts: { notify: webhookNotifier("https://ops.example.com/alerts", { secret: process.env.ALERT_SECRET }) } });
 */
export function webhookNotifier(url: string, options?: WebhookNotifierOptions): Notifier {
  const entry = "webhookNotifier";
  const target = checkUrl(entry, url);
  const timeoutMs = timeoutOf(entry, options);
  const signer =
    options?.secret === undefined
      ? undefined
      : standardWebhooks({ secret: checkOption.string(`${entry} option secret`, options.secret, "") });
  const extra = { ...options?.headers };
  return async (alert) => {
    const json = JSON.stringify(alert);
    if (!signer) return post(target, json, extra, timeoutMs);
    const signed = await signer.signRequest({ rawBody: json, type: alert.kind });
    // Standard Webhooks signs the body as given: the same JSON text goes out.
    return post(target, json, { ...extra, ...signed.headers }, timeoutMs);
  };
}

/**
 * Posts each alert to a Slack incoming webhook (`https://hooks.slack.com/services/…`) as a message.
 *
 * @example
 * createReceiver({ scheme, alerts: { notify: slackNotifier(process.env.SLACK_ALERTS_URL!) } });
 */
export function slackNotifier(incomingWebhookUrl: string, options?: NotifierOptions): Notifier {
  const target = checkUrl("slackNotifier", incomingWebhookUrl);
  const timeoutMs = timeoutOf("slackNotifier", options);
  return (alert) => post(target, JSON.stringify({ text: line(alert) }), {}, timeoutMs);
}

/**
 * Posts each alert to a Discord channel webhook (`https://discord.com/api/webhooks/…`) as a message.
 *
 * @example
 * createReceiver({ scheme, alerts: { notify: discordNotifier(process.env.DISCORD_ALERTS_URL!) } });
 */
export function discordNotifier(webhookUrl: string, options?: NotifierOptions): Notifier {
  const target = checkUrl("discordNotifier", webhookUrl);
  const timeoutMs = timeoutOf("discordNotifier", options);
  // Discord refuses content over 2,000 characters; no mentions are ever pinged from an alert.
  return (alert) =>
    post(
      target,
      JSON.stringify({ content: line(alert).slice(0, 2000), allowed_mentions: { parse: [] } }),
      {},
      timeoutMs,
    );
}
