import { isWebhookError, type WebhookError } from "../errors.js";
import { bounded } from "../internal/bounded.js";
import { extend } from "../internal/extend.js";
import { journalHeaders, redactMessage } from "../journal/redact.js";
import type { JournalError, JournalUpdate } from "../journal.js";
import type { HeadersInput, WebhookEvent } from "../types.js";
import type { Intake } from "./intake.js";
import type { Lease } from "./lease.js";
import type { Settings } from "./options.js";
import { keptOf, seal } from "./seal.js";

/**
 * The journal stage: where an accepted delivery is recorded losslessly before its 2xx, and its
 * lifecycle after. Without a configured journal every step is a no-op. Recording is the one step
 * that can refuse a delivery (503 `journal_unavailable`: nothing is acknowledged that was not
 * recorded); lifecycle updates after the hand-off are reported, never turned into a failure, since
 * the delivery is already safe and answering 5xx then would run its handlers twice.
 */
export interface JournalRequest {
  headers: HeadersInput;
  url?: string | undefined;
  params?: Readonly<Record<string, string>> | undefined;
}

/** A refused request as the pipeline read it, kept by journals with `keepRejected`. */
export interface RejectedInput extends JournalRequest {
  rawBody?: Uint8Array | undefined;
}

/** A journal call bounded by `storeTimeoutMs`; any failure becomes 503 `journal_unavailable`. */
export function journalCall<T>(settings: Settings, call: () => Promise<T>): Promise<T> {
  return bounded(call, settings.bounds.journal);
}

/**
 * What a journal keeps of an error: its code and message (a handler's own error, not hookgate's
 * wrapper), credentials in the message redacted (`redactMessage`).
 */
export function journalError(error: unknown): JournalError {
  const inner = isWebhookError(error) && error.code === "handler_failed" && error.cause ? error.cause : error;
  const code = isWebhookError(inner) ? inner.code : "handler_failed";
  const message = redactMessage((inner instanceof Error ? inner.message : String(inner)).slice(0, 8000));
  return { code, message: message.length > 2000 ? `${message.slice(0, 2000)}…` : message };
}

/**
 * Records an accepted delivery (exact bytes, headers, url, route params) before it is handed off,
 * sealed (see `seal`) so a replay trusts nothing in the row that the receiver did not write.
 */
export async function journalReceived(settings: Settings, intake: Intake): Promise<number | undefined> {
  const { journal } = settings;
  if (!journal) return undefined;
  const { event, request, key, tenant } = intake;
  const headers = journalHeaders(request.headers, settings.scheme, journal.redactHeaders ?? []);
  const kept = keptOf(event, key, tenant, headers, request);
  const sealed = await seal(settings, intake.proof?.key, kept);
  await journalCall(settings, () =>
    journal.record(
      extend(kept, {
        tenant: tenant === "" ? undefined : tenant,
        type: event.type,
        timestamp: event.timestamp,
        matchedSecret: event.matchedSecret,
        seal: sealed,
      }),
    ),
  );
  return performance.now();
}

/** Applies a lifecycle step to the row of `delivery.key`; a journal failure is reported, never thrown. */
export async function journalUpdate(
  settings: Settings,
  delivery: { id: string; key: string },
  change: JournalUpdate,
): Promise<void> {
  const { journal } = settings;
  if (!journal) return;
  try {
    // A replay's job key names the row it replays.
    const key = delivery.key.replace(/#replay:[^#]*$/, "");
    await journalCall(settings, () => journal.update(key, change));
  } catch (error) {
    settings.reportJournal(error, delivery);
  }
}

/** Records how an accepted delivery's hand-off ended: queued, handled or failed. */
export async function journalSettled(
  settings: Settings,
  event: WebhookEvent,
  lease: Lease,
  outcome: "queued" | "handled" | "failed",
  error?: unknown,
): Promise<void> {
  const { key, journaledAt: start } = lease;
  if (!settings.journal || start === undefined) return;
  const ran = outcome === "handled" || (isWebhookError(error) && error.code === "handler_failed");
  await journalUpdate(
    settings,
    { id: event.id, key },
    {
      status: outcome,
      at: settings.now(),
      attempt: ran,
      durationMs: performance.now() - start,
      error: outcome === "failed" ? journalError(error) : undefined,
    },
  );
}

/**
 * Records a delivery acknowledged without a handler (`unknownEvents: "acknowledge"`): `handled`
 * with no attempt, so it can be replayed once a handler is registered.
 */
export async function journalIgnored(settings: Settings, event: WebhookEvent, lease: Lease): Promise<void> {
  const { key, journaledAt: start } = lease;
  if (!settings.journal || start === undefined) return;
  await journalUpdate(
    settings,
    { id: event.id, key },
    {
      status: "handled",
      at: settings.now(),
      durationMs: performance.now() - start,
    },
  );
}

/** Records one handler run outside the request (a queue worker's `dispatch`, a replay). */
export function journalAttempt(
  settings: Settings,
  delivery: { id: string; key: string },
  durationMs: number,
  error?: unknown,
): Promise<void> {
  return journalUpdate(settings, delivery, {
    status: error === undefined ? "handled" : "failed",
    at: settings.now(),
    attempt: true,
    durationMs,
    error: error === undefined ? undefined : journalError(error),
    // A queued replay's success (its job key names the row) fixed the row: clear its last error.
    clearError: error === undefined && /#replay:[^#]*$/.test(delivery.key),
  });
}

/** Counts a rejection by code (and keeps the request, for journals with `keepRejected`). Never waits. */
export function journalRejected(settings: Settings, error: WebhookError, request?: RejectedInput): void {
  const { journal } = settings;
  if (!journal || error.code === "journal_unavailable") return;
  const at = settings.now();
  const kept =
    request?.rawBody !== undefined && (journal.keepRejected ?? 0) > 0
      ? {
          code: error.code,
          at,
          url: request.url,
          headers: journalHeaders(request.headers, settings.scheme, journal.redactHeaders ?? []),
          rawBody: request.rawBody,
        }
      : undefined;
  journalCall(settings, () => journal.reject({ code: error.code, at, request: kept })).catch((failure) =>
    settings.reportJournal(failure),
  );
}
