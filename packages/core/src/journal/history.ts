import {
  JOURNAL_HISTORY_LIMIT,
  type JournalAttempt,
  type JournalError,
  type JournalStatus,
  type JournalUpdate,
  journalStatuses,
} from "../journal.js";
import { redactMessage } from "./redact.js";

/** The longest error message an attempt keeps, in characters. */
const MESSAGE_CHARS = 500;
/** The longest error code an attempt keeps, in characters. */
const CODE_CHARS = 100;
/** What a message is cut to before redaction reads it: bounds the work on a huge message. */
const READ_CHARS = 8 * MESSAGE_CHARS;

/**
 * `text` cut to `max` characters (with `…` when cut), never inside a surrogate pair, and with
 * lone surrogates and NULs replaced: what every engine (PostgreSQL's `jsonb` included) stores.
 */
function storable(text: string, max: number): string {
  let end = Math.min(text.length, max);
  const code = text.charCodeAt(end - 1);
  if (end < text.length && code >= 0xd800 && code <= 0xdbff) end--;
  const cut = end < text.length ? `${text.slice(0, end)}…` : text;
  return cut.replace(/\0|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, "\ufffd");
}

/** An error as an attempt keeps it: credentials redacted, code and message bounded. */
function attemptError(error: JournalError): JournalError {
  return {
    code: storable(String(error.code), CODE_CHARS),
    message: storable(redactMessage(String(error.message).slice(0, READ_CHARS)), MESSAGE_CHARS),
  };
}

/**
 * The attempt a lifecycle step adds to a row's history, or `undefined` when it adds none. A step
 * that ends a handler run (`attempt: true`) is one; so is the end of a delivery's processing
 * without a run (`dead`, `stale`). `received`, `queued` and a replay's `clearError` mark are not.
 * Every journal calls this inside `update`, so all of them keep the same history.
 */
export function journalAttemptOf(change: JournalUpdate): JournalAttempt | undefined {
  if (!change.attempt && change.status !== "dead" && change.status !== "stale") return undefined;
  const durationMs =
    typeof change.durationMs === "number" && Number.isFinite(change.durationMs) && change.durationMs >= 0
      ? change.durationMs
      : undefined;
  return {
    startedAt: new Date(Math.round(change.at.getTime() - (durationMs ?? 0))),
    outcome: change.status,
    durationMs,
    error: change.error ? attemptError(change.error) : undefined,
  };
}

/** `history` with `attempt` appended, keeping the last {@link JOURNAL_HISTORY_LIMIT}. */
export function appendJournalAttempt(
  history: readonly JournalAttempt[],
  attempt: JournalAttempt,
): JournalAttempt[] {
  return [...history, attempt].slice(-JOURNAL_HISTORY_LIMIT);
}

/** The stored form of an attempt: compact JSON, times in ms since the epoch. */
interface StoredAttempt {
  at: number;
  outcome: string;
  ms?: number;
  code?: string;
  message?: string;
}

/** An attempt as JSON text, what the SQL journals append to their `history` column. */
export function journalAttemptJson(attempt: JournalAttempt): string {
  const stored: StoredAttempt = { at: attempt.startedAt.getTime(), outcome: attempt.outcome };
  if (attempt.durationMs !== undefined) stored.ms = attempt.durationMs;
  if (attempt.error) {
    stored.code = attempt.error.code;
    stored.message = attempt.error.message;
  }
  return JSON.stringify(stored);
}

function attemptFrom(item: unknown): JournalAttempt | undefined {
  if (typeof item !== "object" || item === null) return undefined;
  const { at, outcome, ms, code, message } = item as Partial<Record<keyof StoredAttempt, unknown>>;
  if (typeof at !== "number" || !journalStatuses.includes(outcome as JournalStatus)) return undefined;
  return {
    startedAt: new Date(at),
    outcome: outcome as JournalStatus,
    durationMs: typeof ms === "number" ? ms : undefined,
    error:
      typeof code === "string" ? { code, message: typeof message === "string" ? message : "" } : undefined,
  };
}

/**
 * A `history` column read back (JSON text, an already-parsed array, or `null` for a row that has
 * none yet) as attempts, oldest first, at most {@link JOURNAL_HISTORY_LIMIT}; what it cannot read
 * is left out.
 */
export function journalHistoryOf(stored: unknown): JournalAttempt[] {
  let items = stored;
  if (typeof stored === "string") {
    try {
      items = JSON.parse(stored);
    } catch {
      return [];
    }
  }
  if (!Array.isArray(items)) return [];
  const out: JournalAttempt[] = [];
  for (const item of items) {
    const attempt = attemptFrom(item);
    if (attempt) out.push(attempt);
  }
  return out.slice(-JOURNAL_HISTORY_LIMIT);
}
