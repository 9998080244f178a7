import { WebhookError } from "../errors.js";
import { extend } from "../internal/extend.js";
import type { WebhookEvent } from "../types.js";
import type { AnswerCache } from "./answer-cache.js";
import { accepted, handshakeReply } from "./answers.js";
import { continueLate } from "./continue-late.js";
import { type DeadlineRun, withinDeadline } from "./deadline.js";
import { matches } from "./handlers.js";
import { holdLease } from "./lease.js";
import type { Settings } from "./options.js";
import { settleSuccess } from "./settle.js";
import type { HandleResult, Responder } from "./types.js";

type LateListener = (event: WebhookEvent, result: unknown) => unknown;

/** A receiver's `respond` handlers and `onLate` listeners. */
export interface Responders {
  respond(type: string, responder: Responder<WebhookEvent>): void;
  onLate(listener: LateListener): void;
  /** The responder for a type (exact, or the longest dotted prefix registered), if any. */
  find(type: string): Responder<WebhookEvent> | undefined;
  /** Tells every `onLate` listener; a listener's failure is reported, never thrown. */
  late(event: WebhookEvent, result: unknown, report: (error: unknown) => void): Promise<void>;
}

export function createResponders(): Responders {
  const byType = new Map<string, Responder<WebhookEvent>>();
  const listeners: LateListener[] = [];
  return {
    respond(type, responder) {
      if (byType.has(type)) {
        throw new WebhookError("invalid_option", `hookgate: ${type} already has a respond handler`);
      }
      byType.set(type, responder);
    },
    onLate(listener) {
      listeners.push(listener);
    },
    find(type) {
      let found: string | undefined;
      for (const name of byType.keys())
        if (matches(name, type) && (found === undefined || name.length > found.length)) found = name;
      return found === undefined ? undefined : byType.get(found);
    },
    async late(event, result, report) {
      for (const listener of listeners) {
        try {
          await listener(event, result);
        } catch (error) {
          report(error);
        }
      }
    },
  };
}

const HTTP_ANSWER_KEYS = new Set(["status", "headers", "body"]);

/** Whether a responder's value is a whole answer `{ status, headers?, body? }` rather than a JSON body. */
function isHttpAnswer(
  value: unknown,
): value is { status: number; headers?: Record<string, string>; body?: unknown } {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const record = value as Record<string, unknown>;
  return typeof record.status === "number" && Object.keys(record).every((key) => HTTP_ANSWER_KEYS.has(key));
}

/** A responder's value as the answer: a JSON 200, a whole answer, or an empty 200 for `undefined`. */
export function answerOf(value: unknown, id: string): HandleResult {
  let result: HandleResult;
  if (isHttpAnswer(value)) {
    const { status, headers = {}, body } = value;
    if (!Number.isInteger(status) || status < 200 || status > 599)
      throw new TypeError(`hookgate: a respond handler answered status ${status}; use 200 to 599`);
    const contentType = Object.entries(headers).find(([name]) => name.toLowerCase() === "content-type")?.[1];
    const rest = Object.fromEntries(
      Object.entries(headers).filter(([name]) => name.toLowerCase() !== "content-type"),
    );
    result = handshakeReply({
      body: body ?? "",
      status,
      headers: rest,
      ...(contentType ? { contentType } : {}),
    });
    if (body === undefined) result.body = "";
  } else if (value === undefined) {
    result = handshakeReply({ body: "", contentType: "text/plain; charset=utf-8" });
  } else {
    result = handshakeReply({ body: value });
  }
  if (typeof result.body !== "string")
    throw new TypeError("hookgate: a respond handler's answer is not JSON");
  return extend(result, { outcome: "handled" as const, id });
}

/** The answer at the deadline: the scheme's deferred reply (Discord's `{"type":5}`), else 202 `accepted`. */
function deferredAnswer(settings: Settings, id: string): HandleResult {
  const deferred = settings.scheme.facts.deadline?.deferred;
  if (!deferred) return accepted("accepted", 202, id);
  return extend(handshakeReply(deferred), { outcome: "accepted" as const, id });
}

/** A claim-like `duplicate` when this process already answered the key (see {@link duplicateAnswer}). */
export function keptAnswer(answers: AnswerCache, key: string): { duplicate: true } | undefined {
  return answers.get(key) ? { duplicate: true } : undefined;
}

/**
 * What a retry of a delivery already done gets: the answer kept for it, else — for a type with a
 * responder — the scheme's deferred reply (the provider reads no `{"status":"duplicate"}`).
 */
export function duplicateAnswer(
  settings: Settings,
  responders: Responders,
  answers: AnswerCache,
  key: string,
  event: WebhookEvent,
): HandleResult {
  const kept = answers.get(key);
  if (kept) return extend(kept, { headers: { ...kept.headers }, outcome: "duplicate" as const });
  if (responders.find(event.type) && settings.scheme.facts.deadline?.deferred)
    return extend(deferredAnswer(settings, event.id), { outcome: "duplicate" as const });
  return accepted("duplicate", 200, event.id);
}

/**
 * Runs a delivery's responder inline, holding the lease, and answers with its value. Past
 * `deadlineMs` the sender gets the deferred reply, the responder goes on, and its value reaches
 * `onLate`. The answer given is kept for the sender's retries.
 */
export async function respondTo(
  run: DeadlineRun,
  responder: Responder<WebhookEvent>,
  responders: Responders,
  answers: AnswerCache,
): Promise<HandleResult> {
  const { settings, handlers, intake } = run;
  const { event } = intake;
  const lease = intake.lease!;
  const report = (error: unknown) => handlers.report(error, { delivery: event });
  const started = performance.now();
  const again = () => Promise.resolve(event).then(responder);
  const first = again();
  holdLease(settings, lease, event, report, first);
  let answer: HandleResult;
  try {
    const raced = await withinDeadline(first, settings.deadlineMs);
    if (raced.late) {
      answer = deferredAnswer(settings, event.id);
      answers.set(lease.key, answer);
      void continueLate(
        extend(run, { first, again, done: (value: unknown) => responders.late(event, value, report) }),
      );
      return answer;
    }
    answer = answerOf(raced.value, event.id);
  } catch (cause) {
    handlers.emit({
      kind: "failed",
      id: event.id,
      type: event.type,
      error: cause,
      durationMs: performance.now() - started,
    });
    throw new WebhookError("handler_failed", "hookgate: a respond handler failed; the sender should retry", {
      cause,
    });
  }
  handlers.emit({
    kind: "handled",
    id: event.id,
    type: event.type,
    handlers: 1,
    durationMs: performance.now() - started,
  });
  // Kept before the key is completed, so a retry that finds it completed finds the answer too.
  answers.set(lease.key, answer);
  await settleSuccess(settings, handlers, intake, "handled");
  return answer;
}
