import type { MatchedSecret } from "./types.js";

/** How many steps a row's {@link JournalEntry.history} keeps: the newest, older ones dropped. */
export const JOURNAL_HISTORY_LIMIT = 20;

/**
 * Where a journaled delivery is in its life: `received` (recorded, before the 2xx), `queued`
 * (durably handed to a queue), `handled`, `stale` (older than its resource's watermark under
 * `ordering`: acknowledged, handlers not run; a replay runs it), `failed` (the last attempt threw;
 * the sender or the queue may retry) or `dead` (the queue gave up).
 */
export type JournalStatus = "received" | "queued" | "handled" | "stale" | "failed" | "dead";

/** The statuses, in lifecycle order. */
export const journalStatuses: readonly JournalStatus[] = [
  "received",
  "queued",
  "handled",
  "stale",
  "failed",
  "dead",
];

/** Why the last attempt failed: the error's code (`handler_failed`, a `WebhookError` code, or the thrown error's name) and message. */
export interface JournalError {
  code: string;
  message: string;
}

/**
 * What the receiver records of an accepted delivery, before it answers 2xx. A row's identity is
 * its `key`, not its `id`: two tenants (or receivers) whose senders use the same id are two rows.
 */
export interface JournalRecord {
  /** The sender's delivery or event id; several rows may share one (`list({ id })` finds them). */
  id: string;
  /**
   * The delivery's idempotency key in the receiver's store (namespace, tenant, scheme and id or
   * signature): the row's identity, what `get` and `update` take.
   */
  key: string;
  /** The tenant whose secret verified it, with per-tenant secrets. */
  tenant?: string | undefined;
  /** The route params the request matched, so a replay resolves the same tenant's secrets. */
  params?: Readonly<Record<string, string>> | undefined;
  /** An opaque integrity tag the receiver computes over the row; stored and returned as is. */
  seal?: string | undefined;
  /** The scheme's name, e.g. `stripe`. */
  scheme: string;
  type: string;
  /** When the receiver got it: replays verify the stored bytes as of this time. */
  receivedAt: Date;
  /** The signed timestamp, where the scheme has one. */
  timestamp?: Date | undefined;
  /** The exact bytes received. */
  rawBody: Uint8Array;
  /** Request headers, lower-case names; credentials and `redactHeaders` replaced by `[redacted]`. */
  headers: Record<string, string>;
  /** The request URL, for schemes that sign it. */
  url?: string | undefined;
  /** Which configured secret verified it. */
  matchedSecret: MatchedSecret;
}

/** One journaled delivery as `list` returns it: everything but the bytes and headers. */
export interface JournalSummary {
  /** The sender's id; not unique across tenants. */
  id: string;
  /** The row's identity: what `get` and `update` take. */
  key: string;
  /** The tenant whose secret verified it, where there is one. */
  tenant?: string | undefined;
  scheme: string;
  type: string;
  status: JournalStatus;
  receivedAt: Date;
  /** When the status last changed. */
  updatedAt: Date;
  /** Handler runs so far (inline, by queue workers, and replays). */
  attempts: number;
  /**
   * The last error seen, kept after a later success so a recovered delivery still shows why it
   * failed — except after a successful replay, which clears it (`JournalUpdate.clearError`).
   */
  lastError?: JournalError | undefined;
  /** How long the last attempt (or, for `queued`, the hand-off) took, in ms. */
  durationMs?: number | undefined;
  matchedSecret: MatchedSecret;
  /** The body's size in bytes. */
  size: number;
}

/**
 * One step of a row's {@link JournalEntry.history}: a handler run (inline, by a queue worker, or a
 * replay), or the end of the delivery's processing without one (`dead`: the queue gave up;
 * `stale`: older than its resource's watermark). Built by `journalAttemptOf` (`@hookgate/core/kit`)
 * from the `update` that recorded it.
 */
export interface JournalAttempt {
  /** When it started: the step's time less its duration (the step's time where it has none). */
  startedAt: Date;
  /** How it ended: `handled` or `failed` for a handler run, `dead` or `stale` otherwise. */
  outcome: JournalStatus;
  /** How long it took, in ms, where the step says. */
  durationMs?: number | undefined;
  /**
   * Why it failed: its code (cut to 100 characters) and message (credentials in it — URL
   * passwords, `Bearer …` tokens, `secret=…` pairs — replaced by `[redacted]`, cut to 500).
   */
  error?: JournalError | undefined;
}

/** One journaled delivery with its exact bytes, as `get` returns it. */
export interface JournalEntry extends JournalSummary {
  /**
   * Its last {@link JOURNAL_HISTORY_LIMIT} attempts (and its `dead` or `stale` end), oldest first;
   * kept when the sender's retry records the key again. `attempts` counts every run, so a long
   * history shows its tail.
   */
  history: JournalAttempt[];
  rawBody: Uint8Array;
  headers: Record<string, string>;
  url?: string | undefined;
  timestamp?: Date | undefined;
  /** The route params recorded with it. */
  params?: Readonly<Record<string, string>> | undefined;
  /** The integrity tag recorded with it, as recorded. */
  seal?: string | undefined;
}

/**
 * A lifecycle step. `queued` only applies to an entry still `received` (a fast worker's
 * `handled` is never overwritten by the hand-off's late `queued`); `received` puts an entry back
 * at the start (a replay through a queue).
 */
export interface JournalUpdate {
  status: JournalStatus;
  at: Date;
  /** This step ends a handler run: count it in `attempts`. */
  attempt?: boolean | undefined;
  error?: JournalError | undefined;
  durationMs?: number | undefined;
  /**
   * This step supersedes the last error: remove it. A successful replay sets it; a delivery that
   * recovers on the sender's own retry keeps its last error, so it still shows why it failed.
   */
  clearError?: boolean | undefined;
}

/** A refused request, counted per code per minute; its bytes are kept only with `keepRejected`. */
export interface JournalRejection {
  code: string;
  at: Date;
  /** Present only when the journal keeps rejected requests (`keepRejected`). */
  request?: RejectedRequest | undefined;
}

/** A refused request kept whole (`keepRejected`), for investigating a misconfigured sender. */
export interface RejectedRequest {
  code: string;
  at: Date;
  url?: string | undefined;
  headers: Record<string, string>;
  rawBody: Uint8Array;
}

/** What `list` selects. Entries come newest first. */
export interface JournalFilter {
  status?: JournalStatus | readonly JournalStatus[] | undefined;
  /** An exact event type. */
  type?: string | undefined;
  /** An exact sender id: every row with that id, whatever its tenant. */
  id?: string | undefined;
  /** An exact tenant. */
  tenant?: string | undefined;
  /** An exact scheme name, e.g. `stripe`. */
  scheme?: string | undefined;
  /** Received at or after. */
  since?: Date | undefined;
  /** Received before. */
  until?: Date | undefined;
  /** Entries per page. @default 50 (at most 1000) */
  limit?: number | undefined;
  /** The `cursor` of the previous page. */
  cursor?: string | undefined;
}

/** One page of `list`; `cursor` is present when there may be more. */
export interface JournalPage {
  entries: JournalSummary[];
  cursor?: string | undefined;
}

/** What `stats` counts, over deliveries received since `since`. */
export interface JournalStats {
  total: number;
  byStatus: Record<JournalStatus, number>;
  byType: Record<string, number>;
  /** Handling time of `handled` deliveries' last attempt, in ms; absent with none. */
  handlingMs: { p50?: number | undefined; p99?: number | undefined };
  /** Refused requests by error code. */
  rejected: Record<string, number>;
  /**
   * Deliveries by the minute they were received in (oldest first, minutes with none left out),
   * counted by their current status: what a dashboard charts.
   */
  perMinute: JournalMinute[];
}

/** One minute of {@link JournalStats.perMinute}. */
export interface JournalMinute {
  /** The start of the minute. */
  minute: Date;
  byStatus: Record<JournalStatus, number>;
}

/**
 * A delivery journal: every accepted delivery recorded losslessly before its 2xx, with its
 * lifecycle, and refusals counted by code. Implementations: `memoryJournal()` here,
 * `sqliteJournal()` in `@hookgate/sqlite`, `postgresJournal()` in `@hookgate/postgres`; run
 * `journalConformance` from `@hookgate/testing` against your own.
 *
 * `record` and `update` must be durable when they resolve, and must reject when they cannot
 * record (the receiver then answers 503 and acknowledges nothing). Old entries are pruned as
 * writes happen (`retainMs`), with no daemon.
 */
export interface DeliveryJournal {
  /** Header names replaced by `[redacted]` when recorded; signature headers are always kept. */
  readonly redactHeaders?: readonly string[] | undefined;
  /** How many refused requests it keeps whole; the receiver passes their bytes only when above 0. */
  readonly keepRejected?: number | undefined;
  /**
   * Records an accepted delivery as `received`, keyed by `entry.key`: a key seen before is
   * overwritten (a sender's retry), keeping its attempts; the same `id` under another key is
   * another row.
   */
  record(entry: JournalRecord): Promise<void>;
  /**
   * Moves the entry with this key along its lifecycle; `false` when no entry has it (or a `queued`
   * came late). A step that `journalAttemptOf(change)` turns into an attempt is appended to the
   * row's `history`, in the same write, keeping the last {@link JOURNAL_HISTORY_LIMIT}.
   */
  update(key: string, change: JournalUpdate): Promise<boolean>;
  /** Counts a refused request by code and minute. */
  reject(rejection: JournalRejection): Promise<void>;
  /** The delivery with this key, with its exact bytes (a sender id may name several: `list({ id })`). */
  get(key: string): Promise<JournalEntry | undefined>;
  /** Deliveries newest first, filtered, a page at a time. */
  list(filter?: JournalFilter): Promise<JournalPage>;
  /** Counts by status and type, handling-time percentiles and refusals, since `since` (default: everything kept). */
  stats(options?: { since?: Date | undefined }): Promise<JournalStats>;
  /** Refused requests kept whole (newest first); empty unless `keepRejected` was set. */
  rejections(options?: { since?: Date | undefined; limit?: number | undefined }): Promise<RejectedRequest[]>;
  /** Releases what the journal opened itself (a file); never a client the user passed in. */
  close?(): Promise<void>;
}

/** Options every journal implementation takes. */
export interface JournalOptions {
  /** How long entries are kept, in ms; older ones are pruned as writes happen. @default 2592000000 (30 days) */
  retainMs?: number;
  /**
   * Header names to store as `[redacted]` (an API key a proxy adds). Signature, id, timestamp
   * and type headers are always kept, so replays can verify again. `authorization`, `cookie`,
   * `proxy-authorization` and `set-cookie` are always redacted.
   */
  redactHeaders?: readonly string[];
  /** Refused requests to keep whole (bytes and headers), newest first; counts are always kept. @default 0 */
  keepRejected?: number;
  /** The clock, for retention. @default () => new Date() */
  now?: () => Date;
}
