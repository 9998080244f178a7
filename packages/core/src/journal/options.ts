import { WebhookError } from "../errors.js";
import type { JournalOptions } from "../journal.js";

/** 30 days, in ms. */
const THIRTY_DAYS = 30 * 24 * 3600 * 1000;

/** How often a journal prunes at most, in ms: often enough to stay bounded, rarely enough to cost nothing. */
const PRUNE_EVERY_MS = 60_000;

/** {@link JournalOptions} checked, with every default filled in. */
export interface ResolvedJournalOptions {
  retainMs: number;
  redactHeaders: readonly string[];
  keepRejected: number;
  now: () => Date;
  /** True when a write should prune first (at most once per minute of the journal's clock). */
  pruneDue: () => boolean;
}

function invalid(name: string, value: unknown, what: string): WebhookError {
  return new WebhookError(
    "invalid_option",
    `hookgate: journal option ${name} must be ${what}, got ${JSON.stringify(value) ?? String(value)}`,
  );
}

/** Checks and completes the options every journal takes; throws `invalid_option` naming the option. */
export function resolveJournalOptions(options: JournalOptions = {}): ResolvedJournalOptions {
  const retainMs = options.retainMs ?? THIRTY_DAYS;
  if (typeof retainMs !== "number" || !(retainMs >= 1))
    throw invalid("retainMs", retainMs, "a number of ms ≥ 1");
  const keepRejected = options.keepRejected ?? 0;
  if (!Number.isSafeInteger(keepRejected) || keepRejected < 0) {
    throw invalid("keepRejected", keepRejected, "a whole number ≥ 0");
  }
  const redactHeaders = (options.redactHeaders ?? []).map((name) => String(name).toLowerCase());
  const now = options.now ?? (() => new Date());
  let lastPrune = Number.NEGATIVE_INFINITY;
  return {
    retainMs,
    redactHeaders,
    keepRejected,
    now,
    pruneDue() {
      const at = now().getTime();
      if (at - lastPrune < Math.min(PRUNE_EVERY_MS, retainMs)) return false;
      lastPrune = at;
      return true;
    },
  };
}

/** The page size a `list` filter asks for: 50 by default, between 1 and 1000. */
export function journalPageSize(limit: number | undefined): number {
  if (limit === undefined) return 50;
  if (!Number.isSafeInteger(limit) || limit < 1) throw invalid("limit", limit, "a whole number ≥ 1");
  return Math.min(limit, 1000);
}
