import { checkOption } from "../internal/check-option.js";
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

/**
 * Checks and completes the options every journal takes; throws `invalid_option` naming the
 * option, as an option of `journal` (the factory's name: "sqliteJournal").
 */
export function resolveJournalOptions(
  options: JournalOptions = {},
  journal = "journal",
): ResolvedJournalOptions {
  checkOption.object(journal, options);
  const retainMs = checkOption.number(`${journal} option retainMs`, options.retainMs, THIRTY_DAYS, {
    min: 1,
    infinite: true,
  });
  const keepRejected = checkOption.whole(`${journal} option keepRejected`, options.keepRejected, 0, 0);
  const headers = options.redactHeaders ?? [];
  if (!Array.isArray(headers) || headers.some((name) => typeof name !== "string")) {
    throw checkOption.fail(`${journal} option redactHeaders`, headers, "a list of header names");
  }
  const redactHeaders = headers.map((name) => name.toLowerCase());
  const now = checkOption.callback(`${journal} option now`, options.now) ?? (() => new Date());
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
  return Math.min(checkOption.whole("journal option limit", limit, 50), 1000);
}
