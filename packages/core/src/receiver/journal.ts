import type { WebhookError } from "../errors.js";
import type { WebhookEvent } from "../queue.js";
import type { HeadersInput } from "../types.js";
import type { Settings } from "./options.js";

/**
 * The journal stage: where an accepted delivery is recorded losslessly before its 2xx, and its
 * lifecycle after. Without a configured journal every step is a no-op.
 */
export interface JournalRequest {
  headers: HeadersInput;
  url?: string | undefined;
}

/** Records an accepted delivery (exact bytes, headers, url) before it is handed off. */
export async function journalReceived(
  _settings: Settings,
  _event: WebhookEvent,
  _request: JournalRequest,
): Promise<void> {}

/** Records how an accepted delivery ended: queued, handled or failed. */
export async function journalSettled(
  _settings: Settings,
  _event: WebhookEvent,
  _outcome: "queued" | "handled" | "failed",
  _error?: unknown,
): Promise<void> {}

/** Counts a rejection by code. */
export function journalRejected(_settings: Settings, _error: WebhookError): void {}
