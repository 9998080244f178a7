import { isWebhookError, WebhookError, type WebhookErrorCode } from "../errors.js";
import { rejection } from "./answers.js";
import type { Handlers } from "./handlers.js";
import type { Intake } from "./intake.js";
import { journalRejected, journalSettled, type RejectedInput } from "./journal.js";
import { completeLease, releaseLease } from "./lease.js";
import type { Settings } from "./options.js";
import type { HandleResult } from "./types.js";

/** Codes that mean the server is set up wrong, not that the request is bad: logged once. */
const SETUP_ERRORS = new Set<WebhookErrorCode>([
  "raw_body_required",
  "invalid_secret",
  "url_required",
  "invalid_option",
]);

/** Settles a delivery that was handled or durably enqueued: journal, then complete the key. */
export function settleSuccess(
  settings: Settings,
  handlers: Handlers,
  intake: Intake,
  outcome: "queued" | "handled",
): Promise<void> | undefined {
  const { event } = intake;
  const lease = intake.lease!;
  const report = (error: unknown) => handlers.report(error, { delivery: event });
  if (!settings.journal) return completeLease(settings, lease, event, report);
  return journalSettled(settings, event, lease, outcome).then(() =>
    completeLease(settings, lease, event, report),
  );
}

/**
 * Settles a refused or failed request: releases the key (so the sender's retry is processed),
 * records the failure, reports it, and answers with the error's status. Never throws.
 */
export async function settleFailure(
  settings: Settings,
  handlers: Handlers,
  caught: unknown,
  intake: Intake | undefined,
  loggedSetupErrors: Set<WebhookErrorCode>,
  request?: RejectedInput,
): Promise<HandleResult> {
  const event = intake?.event;
  const lease = intake?.lease;
  const context = event ? { delivery: event } : {};
  if (lease) await releaseLease(settings, lease, (error) => handlers.report(error, context));
  const error = isWebhookError(caught)
    ? caught
    : new WebhookError("internal_error", "hookgate: unexpected error; the sender should retry", {
        cause: caught,
      });
  if (event && lease) await journalSettled(settings, event, lease, "failed", error).catch(() => {});
  journalRejected(settings, error, request);
  handlers.emit({
    kind: "rejected",
    code: error.code,
    status: error.status,
    error,
    ...(event ? { id: event.id, type: event.type } : {}),
  });
  // A 409 to a retry while another instance works is the system working, not an error to log.
  if (error.code !== "in_flight") handlers.report(error, context);
  if (SETUP_ERRORS.has(error.code) && !loggedSetupErrors.has(error.code)) {
    // A set-up mistake fails every delivery: say so once in the server log, not per request.
    loggedSetupErrors.add(error.code);
    console.error(error.message);
  }
  return rejection(settings, error, event?.id);
}
