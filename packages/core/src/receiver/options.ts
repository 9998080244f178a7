import { type AlertSettings, resolveAlertOptions } from "../alerts/create-alerts.js";
import { WebhookError } from "../errors.js";
import type { SchemaMap } from "../event-types.js";
import type { Bound } from "../internal/bounded.js";
import { utf8 } from "../internal/bytes.js";
import { checkOption } from "../internal/check-option.js";
import type { HmacKey } from "../internal/crypto.js";
import { compileAllowList } from "../internal/ip.js";
import type { DecodedSecret } from "../internal/secrets.js";
import type { DeliveryJournal } from "../journal.js";
import { type RetryPolicy, retryPolicy } from "../queue/retry-policy.js";
import type { Queue } from "../queue.js";
import { engineOf, type SchemeEngine } from "../scheme/engine.js";
import { checkTolerance } from "../scheme/timestamps.js";
import { memoryStore } from "../store/memory-store.js";
import type { IdempotencyStore } from "../store.js";
import type { Telemetry } from "../telemetry.js";
import type { Scheme } from "../types.js";
import { type OrderingSettings, resolveOrdering } from "./ordering-options.js";
import type { ReceiverEvent, ReceiverOptions } from "./types.js";

/** How long a claimed key is held before a retry may take it over, unless `lockMs` says. */
export const DEFAULT_LOCK_MS = 30_000;

/** A receiver's options, checked once and with every default filled in. */
export interface Settings {
  scheme: Scheme;
  /**
   * The scheme's engine, looked up once: verification with its proof. `undefined` for a scheme
   * `defineScheme` did not build, verified through its own `verify`, without a proof.
   */
  engine: SchemeEngine | undefined;
  store: IdempotencyStore;
  queue: Queue | undefined;
  /** Out-of-order protection (`ordering`), checked against the scheme and the store. */
  ordering: OrderingSettings | undefined;
  journal: DeliveryJournal | undefined;
  /** Tells the receiver's `onError` listeners about a journal failure that did not change an answer. */
  reportJournal: (error: unknown, delivery?: { id: string }) => void;
  tolerance: number;
  maxBodyBytes: number;
  bodyTimeoutMs: number;
  /** Whether the body is hashed as it arrives, where the scheme can (`receiver/stream-body.ts`). */
  streamVerify: boolean;
  maxHeaderBytes: number;
  lockMs: number;
  ttlMs: number;
  storeTimeoutMs: number;
  queueTimeoutMs: number;
  /** When the sender is answered without the handlers still running (see `deadlineMs`); undefined: no guard. */
  deadlineMs: number | undefined;
  /** How handlers that fail past the deadline are retried. */
  retry: RetryPolicy;
  schemas: SchemaMap;
  namespace: string | undefined;
  unknownEvents: "acknowledge" | "reject";
  responses: Readonly<Partial<Record<string, number>>>;
  contentTypes: readonly string[];
  isAllowed: ((ip: string | undefined) => boolean) | undefined;
  observe: ((event: ReceiverEvent) => void) | undefined;
  telemetry: Telemetry | undefined;
  alerts: AlertSettings | undefined;
  now: () => Date;
  /** The receiver's own seal keys (`sealKey`): the first seals, all are checked. */
  sealKeys: readonly HmacKey[];
  /** Identities of the secret sets seen, looked up in the store (see `identityOf`). */
  identities: WeakMap<
    readonly DecodedSecret[],
    { identity: Promise<string>; resolved?: string; checkedAt: number }
  >;
  /** The key head last built (see `keyHead`) and what from: the same for nearly every call. */
  keyHead: { scheme: string; tenant: string; head: string };
  /** How store, journal and queue calls are bounded (from the timeouts above). */
  bounds: { store: Bound; journal: Bound; queue: Bound };
}

function invalid(message: string): WebhookError {
  return new WebhookError("invalid_option", `hookgate: ${message}`);
}

/**
 * A whole number of at least `min`. `Number(process.env.X)` of an unset variable is NaN: refused
 * here, at creation, rather than silently turning a limit off.
 */
function wholeNumber(name: string, value: unknown, fallback: number, min = 1): number {
  return checkOption.whole(`createReceiver option ${name}`, value, fallback, min);
}

function checkJournal(journal: DeliveryJournal | undefined): DeliveryJournal | undefined {
  if (journal === undefined) return undefined;
  if (!journal || typeof journal.record !== "function" || typeof journal.update !== "function") {
    throw invalid(
      "createReceiver option journal must be a journal: memoryJournal(), sqliteJournal({ path }) …",
    );
  }
  return journal;
}

function checkTelemetry(telemetry: Telemetry | undefined): Telemetry | undefined {
  if (telemetry === undefined) return undefined;
  if (!telemetry || typeof telemetry.request !== "function") {
    throw invalid("createReceiver option telemetry must be a telemetry, e.g. otel() from @hookgate/otel");
  }
  checkOption.callback("createReceiver option telemetry.dispatch", telemetry.dispatch);
  return telemetry;
}

/** The receiver's own `sealKey`s as HMAC keys (the first seals; all are tried when checking). */
export function sealKeysOf(option: string | readonly string[] | undefined): readonly HmacKey[] {
  const list = option === undefined ? [] : typeof option === "string" ? [option] : option;
  return list.map((value) => ({ kind: "hmac", bytes: utf8(value) }));
}

function checkSealKey(value: unknown): string | readonly string[] | undefined {
  if (value === undefined) return undefined;
  const list = typeof value === "string" ? [value] : value;
  if (!Array.isArray(list) || list.length === 0 || list.some((k) => typeof k !== "string" || k.length < 16)) {
    throw invalid(
      "createReceiver option sealKey must be a secret string of at least 16 characters, or a list of them",
    );
  }
  return list as readonly string[];
}

/**
 * The receiver's deadline: the option (`Infinity`: none), or the sender's documented timeout less
 * a tenth of it and at least 500 ms, for the answer to travel back in time.
 */
function deadlineOf(scheme: Scheme, option: number | undefined): number | undefined {
  if (option === Number.POSITIVE_INFINITY) return undefined;
  const sender = scheme.facts.deadline?.ms;
  const fallback = sender === undefined ? undefined : Math.max(1, sender - Math.max(500, sender / 10));
  if (option === undefined) return fallback;
  return wholeNumber("deadlineMs", option, 1);
}

/** Checks and completes {@link ReceiverOptions}; throws `invalid_option` naming the option and value. */
export function resolveOptions(
  options: ReceiverOptions<SchemaMap>,
  reportJournal: Settings["reportJournal"] = () => {},
): Readonly<Settings> {
  if (!options || typeof options !== "object") throw invalid("createReceiver needs options: { scheme }");
  const { scheme } = options;
  if (!scheme || typeof scheme.verify !== "function") {
    throw invalid("createReceiver needs a `scheme`, e.g. schemes.stripe({ secret })");
  }
  const unknownEvents = checkOption.oneOf(
    "createReceiver option unknownEvents",
    options.unknownEvents,
    ["acknowledge", "reject"],
    "acknowledge",
  );
  for (const [code, status] of Object.entries({ ...scheme.responses, ...options.responses })) {
    if (!Number.isInteger(status) || status! < 200 || status! > 599) {
      throw invalid(`responses.${code} must be an HTTP status from 200 to 599, got ${String(status)}`);
    }
  }
  const sealKeys = sealKeysOf(checkSealKey(options.sealKey));
  if (
    sealKeys.length === 0 &&
    scheme.facts.keys === "public" &&
    (options.journal !== undefined || options.queue !== undefined)
  ) {
    throw invalid(
      `the ${scheme.name} scheme verifies with the sender's public keys, so there is no secret to seal journal rows and queued jobs with: give createReceiver a sealKey (a random secret of at least 16 characters, shared by the receiver and its workers)`,
    );
  }
  const storeTimeoutMs = wholeNumber("storeTimeoutMs", options.storeTimeoutMs, 2000);
  const queueTimeoutMs = wholeNumber("queueTimeoutMs", options.queueTimeoutMs, 5000);
  const ttlMs = wholeNumber("ttlMs", options.ttlMs, 72 * 3600 * 1000);
  const store = options.store ?? memoryStore();
  const settings: Settings = {
    scheme,
    engine: engineOf(scheme),
    store,
    queue: options.queue,
    ordering: resolveOrdering(options.ordering, scheme, store, ttlMs),
    journal: checkJournal(options.journal),
    reportJournal,
    tolerance: checkTolerance(options.tolerance, "createReceiver option tolerance"),
    maxBodyBytes: wholeNumber("maxBodyBytes", options.maxBodyBytes, 1 << 20),
    bodyTimeoutMs: wholeNumber("bodyTimeoutMs", options.bodyTimeoutMs, 5000),
    streamVerify: checkOption.boolean("createReceiver option streamVerify", options.streamVerify, true),
    maxHeaderBytes: wholeNumber("maxHeaderBytes", options.maxHeaderBytes, 16_384),
    lockMs: wholeNumber("lockMs", options.lockMs, DEFAULT_LOCK_MS, 3),
    ttlMs,
    storeTimeoutMs,
    queueTimeoutMs,
    deadlineMs: deadlineOf(scheme, options.deadlineMs),
    retry: retryPolicy("createReceiver", options.retry),
    schemas: options.events ?? {},
    namespace: options.namespace || undefined,
    unknownEvents,
    responses: { ...scheme.responses, ...options.responses },
    contentTypes: (options.contentTypes ?? scheme.facts.contentTypes).map((t) => t.toLowerCase()),
    isAllowed: options.allowIps ? compileAllowList(options.allowIps) : undefined,
    observe: checkOption.callback("createReceiver option observe", options.observe),
    telemetry: checkTelemetry(options.telemetry),
    alerts: resolveAlertOptions(options.alerts),
    now: checkOption.callback("createReceiver option now", options.now) ?? (() => new Date()),
    sealKeys,
    identities: new WeakMap(),
    keyHead: { scheme: "", tenant: "", head: "" },
    bounds: {
      store: {
        timeoutMs: storeTimeoutMs,
        code: "store_unavailable",
        timedOut: `the idempotency store did not answer within storeTimeoutMs (${storeTimeoutMs} ms)`,
        failed: "the idempotency store is unavailable",
      },
      journal: {
        timeoutMs: storeTimeoutMs,
        code: "journal_unavailable",
        timedOut: `the delivery journal did not answer within storeTimeoutMs (${storeTimeoutMs} ms)`,
        failed: "the delivery journal cannot record",
      },
      queue: {
        timeoutMs: queueTimeoutMs,
        code: "queue_unavailable",
        timedOut: `the queue did not accept the delivery within queueTimeoutMs (${queueTimeoutMs} ms)`,
        failed: "the queue refused the delivery",
      },
    },
  };
  return Object.freeze(settings);
}
