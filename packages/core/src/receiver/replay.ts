import { isWebhookError, WebhookError } from "../errors.js";
import { toText } from "../internal/bytes.js";
import { findJournalEntry } from "../journal/find-entry.js";
import type { JournalEntry, JournalFilter } from "../journal.js";
import { type QueuedDelivery, toQueuedDelivery } from "../queue.js";
import { parsePayload } from "../scheme/payload.js";
import type { WebhookEvent } from "../types.js";
import { dispatchIntake } from "./dispatch.js";
import type { Handlers } from "./handlers.js";
import { type Intake, intakeOf } from "./intake.js";
import { journalCall, journalError, journalUpdate } from "./journal.js";
import type { Settings } from "./options.js";
import { reverify } from "./reverify.js";
import { keptOf, seal } from "./seal.js";
import type { ReplayOptions, ReplayResult } from "./types.js";
import { validatePayload } from "./validate.js";

/** Most deliveries one filtered replay takes when the filter sets no `limit`. */
const DEFAULT_REPLAY_LIMIT = 100;

/**
 * The intake a journal entry stands for, under its row's key and tenant. With `verify`, the row is
 * verified again (see `reverify`): the stored bytes with the receiver's secrets as of their
 * receipt, and the receiver's seal over key, tenant, receipt time, params and headers; id, type
 * and payload come from the signed bytes — a row altered or planted in the database is refused,
 * never run. Unverified, it has no proof.
 */
async function entryIntake(settings: Settings, entry: JournalEntry, verify: boolean): Promise<Intake> {
  const { event, proof } = verify
    ? await reverify(settings, { ...entry, tenant: entry.tenant ?? "" }, entry.seal)
    : { event: await unverifiedEvent(settings, entry), proof: undefined };
  const intake = intakeOf(event, proof, entry);
  intake.key = entry.key;
  intake.tenant = entry.tenant ?? "";
  return intake;
}

/** The event a journal entry says it is, read as written (`verify: false`). */
async function unverifiedEvent(settings: Settings, entry: JournalEntry): Promise<WebhookEvent> {
  const event: WebhookEvent = {
    id: entry.id,
    type: entry.type,
    scheme: entry.scheme,
    payload: parsePayload(toText(entry.rawBody), entry.headers["content-type"]),
    rawBody: entry.rawBody,
    matchedSecret: entry.matchedSecret,
    receivedAt: entry.receivedAt,
  };
  if (entry.timestamp) event.timestamp = entry.timestamp;
  event.payload = await validatePayload(settings, event.type, event.payload);
  return event;
}

/** The ids a replay target names: itself, or every page of a `list` filter up to its `limit`. */
async function idsOf(
  settings: Settings,
  target: string | readonly string[] | JournalFilter,
): Promise<string[]> {
  if (typeof target === "string") return [target];
  if (Array.isArray(target)) return [...(target as readonly string[])];
  const filter = target as JournalFilter;
  const max = filter.limit ?? DEFAULT_REPLAY_LIMIT;
  const ids: string[] = [];
  let cursor = filter.cursor;
  do {
    const page = await journalCall(settings, () =>
      settings.journal!.list({ ...filter, cursor, limit: Math.min(max - ids.length, 1000) }),
    );
    for (const entry of page.entries) ids.push(entry.key);
    cursor = page.cursor;
  } while (cursor !== undefined && ids.length < max);
  return ids;
}

/** Replays one stored delivery: verify, then run inline, or re-enqueue with a fresh job identity. */
async function replayOne(
  settings: Settings,
  handlers: Handlers,
  enqueue: ((delivery: QueuedDelivery) => Promise<void>) | undefined,
  target: string,
  options: ReplayOptions,
): Promise<ReplayResult> {
  const entry = await journalCall(settings, () => findJournalEntry(settings.journal!, target));
  if (!entry) return { id: target, outcome: "missing" };
  const { id } = entry;
  let intake: Intake;
  try {
    intake = await entryIntake(settings, entry, options.verify !== false);
  } catch (error) {
    if (!isWebhookError(error)) throw error;
    return { id, type: entry.type, outcome: "refused", error: { code: error.code, message: error.message } };
  }
  const { event, proof } = intake;
  if (options.dryRun) return { id, type: event.type, outcome: "verified" };
  if (enqueue) {
    // A replay is a new job: a key of its own, so neither the queue's dedupe nor the handled-key
    // of the first run (completed, if it once succeeded) swallows it.
    const key = `${entry.key}#replay:${settings.now().getTime().toString(36)}`;
    const kept = keptOf(event, key, entry.tenant ?? "", entry.headers, entry);
    const queued = toQueuedDelivery(event, entry.headers, entry.url, key);
    if (entry.tenant) queued.tenant = entry.tenant;
    if (kept.params) queued.params = { ...kept.params };
    // A verified replay is sealed like a first delivery; an unverified one (`verify: false`) is
    // left unsealed where there is no key of the receiver's own, so a verifying worker refuses it.
    if (proof || settings.sealKeys.length > 0) queued.seal = await seal(settings, proof?.key, kept);
    await journalUpdate(settings, entry, { status: "received", at: settings.now() });
    await enqueue(queued);
    await journalUpdate(settings, entry, { status: "queued", at: settings.now() });
    return { id, type: event.type, outcome: "queued" };
  }
  const started = performance.now();
  try {
    await dispatchIntake(settings, handlers, intake, false, true);
    // The replay fixed it: its last error is history, not the row's current state.
    await journalUpdate(settings, entry, { status: "handled", at: settings.now(), clearError: true });
    return { id, type: event.type, outcome: "handled", durationMs: performance.now() - started };
  } catch (error) {
    return {
      id,
      type: event.type,
      outcome: "failed",
      error: journalError(error),
      durationMs: performance.now() - started,
    };
  }
}

/** `receiver.replay`: each target delivery in turn (see `Receiver.replay`). */
export async function replayDeliveries(
  settings: Settings,
  handlers: Handlers,
  enqueue: ((delivery: QueuedDelivery) => Promise<void>) | undefined,
  target: string | readonly string[] | JournalFilter,
  options: ReplayOptions = {},
): Promise<ReplayResult[]> {
  if (options.journal) settings = { ...settings, journal: options.journal };
  if (!settings.journal) {
    throw new WebhookError(
      "invalid_option",
      "hookgate: replay reads the delivery journal: create the receiver with a journal (memoryJournal(), sqliteJournal({ path }) …)",
    );
  }
  const results: ReplayResult[] = [];
  for (const id of await idsOf(settings, target)) {
    results.push(await replayOne(settings, handlers, enqueue, id, options));
  }
  return results;
}
