import { createAlerts } from "../alerts/create-alerts.js";
import type { WebhookErrorCode } from "../errors.js";
import { WebhookError } from "../errors.js";
import type { EventMap, ResolveEvents, SchemaMap } from "../event-types.js";
import { extend } from "../internal/extend.js";
import { getHeader } from "../internal/headers.js";
import { requestMethod } from "../internal/method.js";
import { nodeHeaderRecord, unreadNodeBody } from "../node-handler.js";
import type { InProcessJob, QueuedDelivery } from "../queue.js";
import type { Proof } from "../scheme/proof.js";
import type { Delivery, WebhookEvent } from "../types.js";
import { createAnswerCache } from "./answer-cache.js";
import { accepted, handshakeReply, reply } from "./answers.js";
import { readRequestBody } from "./body.js";
import { bindBody, claimKey, idempotencyKey } from "./claim.js";
import { type DeadlineRun, handleWithDeadline } from "./deadline.js";
import { dispatchDelivery } from "./dispatch.js";
import { checkClient, checkShape } from "./guards.js";
import { handOff } from "./hand-off.js";
import { createHandlers } from "./handlers.js";
import { identityOf } from "./identity.js";
import { type Intake, intakeOf } from "./intake.js";
import { journalError, journalIgnored, journalReceived, journalUpdate } from "./journal.js";
import { completeLease } from "./lease.js";
import { resolveOptions } from "./options.js";
import { advanceOrder, answerStale, judgeOrder, type OrderMark } from "./ordering.js";
import { replayDeliveries } from "./replay.js";
import { createResponders, duplicateAnswer, keptAnswer, respondTo } from "./respond.js";
import { settleFailure, settleSuccess } from "./settle.js";
import { startBodyStream } from "./stream-body.js";
import { type RequestTrace, traceDispatch, traceRequest, UNTRACED } from "./telemetry.js";
import type {
  HandleInput,
  HandleResult,
  Handler,
  Receiver,
  ReceiverEvent,
  ReceiverOptions,
  Responder,
} from "./types.js";
import { hasSchema, validatePayload } from "./validate.js";

/**
 * Creates a webhook receiver. The event types come from a generic type map, or are inferred
 * from `events` schemas; without either, any type is accepted with an `unknown` payload.
 * Options are checked here: a set-up mistake throws `invalid_option` now, not per request.
 *
 * @example
 * const receiver = createReceiver({ scheme: schemes.stripe({ secret }), events: { "invoice.paid": InvoicePaid } });
 * receiver.on("invoice.paid", async (event) => { await markPaid(event.payload.data.object.id) });
 * export default { fetch: receiver.fetch };
 */
export function createReceiver<
  Events extends object = never,
  const S extends SchemaMap = {},
  Answer = unknown,
>(options: ReceiverOptions<S, Answer>): Receiver<ResolveEvents<Events, S>, Answer> {
  // Settings are frozen at creation; a journal failure that changes no answer goes to onError.
  const settings = resolveOptions(options, (error, delivery) =>
    handlers.report(
      error,
      delivery && "receivedAt" in delivery ? { delivery: delivery as WebhookEvent } : {},
    ),
  );
  const { scheme, engine } = settings;
  const alerts = settings.alerts && createAlerts(settings.alerts, scheme.name, settings.now);
  const handlers = createHandlers(alerts ? withAlerts(settings.observe, alerts.observe) : settings.observe);
  // `respond` handlers, `onLate` listeners, and the answers given, for retries (receiver/respond.ts).
  const responders = createResponders();
  const answers = createAnswerCache();
  const loggedSetupErrors = new Set<WebhookErrorCode>();
  // A queue that runs handlers in-process (memoryQueue) binds each job to this receiver.
  let enqueue = settings.queue ? (delivery: QueuedDelivery) => settings.queue!.enqueue(delivery) : undefined;
  let enqueueInProcess: ((job: InProcessJob) => void) | undefined;

  /** One request, told to the telemetry (if any) from its start to its answer. */
  function handle(input: HandleInput): Promise<HandleResult> {
    const trace = traceRequest(settings, input.headers);
    // No telemetry configured (or none for this request): no layer around the pipeline.
    return trace === UNTRACED ? receive(input, trace) : traced(input, trace);
  }

  async function traced(input: HandleInput, trace: RequestTrace): Promise<HandleResult> {
    const result = await trace.within(() => receive(input, trace));
    trace.end(result);
    return result;
  }

  /** The pipeline: guards → body → challenge → verify → handshake → one delivery per event. */
  async function receive(input: HandleInput, trace: RequestTrace): Promise<HandleResult> {
    const receivedAt = settings.now();
    let event: WebhookEvent | undefined;
    let deliveries: Delivery[] = [];
    let proof: Proof | undefined;
    let rawBody: Uint8Array | undefined;
    try {
      const contentType = checkClient(settings, input);
      // Where the scheme signs `prefix + body`, the body is hashed as it arrives (receiver/stream-body.ts).
      const stream = startBodyStream(settings, input, contentType, receivedAt);
      const read = readRequestBody(settings, input, stream?.update);
      rawBody = read instanceof Promise ? await read : read;
      const method = requestMethod(input.method);
      const challenge =
        scheme.challenge &&
        (await scheme.challenge({
          method,
          url: input.url,
          headers: input.headers,
          rawBody,
          // Per-tenant secrets need them: Zoom verifies its url_validation, Asana's handshake asks
          // whether the webhook already has a secret.
          params: input.params,
        }));
      if (challenge) {
        handlers.emit({ kind: "handshake" });
        return handshakeReply(challenge);
      }
      checkShape(settings, method, contentType);
      // Verified at once where the scheme can (static secrets, node:crypto): no promise turn. The
      // engine's verify also says what verified (the proof); a hand-written scheme's has none.
      const verifyInput = { headers: input.headers, rawBody, url: input.url, method, params: input.params };
      const verifyOptions = { tolerance: settings.tolerance, now: receivedAt };
      let delivery: Delivery;
      if (engine) {
        const verified = engine.verify(verifyInput, verifyOptions, stream?.finish(rawBody));
        ({ delivery, proof } = verified instanceof Promise ? await verified : verified);
      } else delivery = await scheme.verify(verifyInput, verifyOptions);
      const { id, type, matchedSecret } = delivery;
      if (handlers.observed)
        handlers.emit({ kind: "verified", id, type, scheme: delivery.scheme, matchedSecret });
      trace.verified(delivery, proof);
      const handshake = scheme.handshake?.(delivery);
      if (handshake) {
        handlers.emit({ kind: "handshake", id, type });
        return handshakeReply(handshake, id);
      }
      if (!scheme.split) {
        // The engine's delivery is made for this request: it becomes the event as it is.
        event = engine ? (delivery as WebhookEvent) : ({ ...delivery } as WebhookEvent);
        event.receivedAt = receivedAt;
      } else deliveries = scheme.split(delivery);
    } catch (caught) {
      return settleFailure(settings, handlers, caught, undefined, loggedSetupErrors, {
        headers: input.headers,
        url: input.url,
        rawBody,
      });
    }
    // One intake per delivery, carried through every stage from here on; the events of a batch
    // (a scheme's split) share the request's proof.
    // Awaited, not returned: an async function returning a promise adopts it two turns later.
    if (event) return await accept(intakeOf(event, proof, input), trace);
    if (deliveries.length === 1)
      return await accept(intakeOf(extend(deliveries[0]!, { receivedAt }), proof, input), trace);
    // A batch: each event is claimed and handed off on its own. The answer is the first failure,
    // so the sender retries the batch, and the events already done answer duplicate then.
    const results: HandleResult[] = [];
    for (const delivery of deliveries)
      results.push(await accept(intakeOf(extend(delivery, { receivedAt }), proof, input), trace));
    return (
      results.find((result) => result.status >= 300) ??
      reply("handled", 200, {
        status: "handled",
        deliveries: results.map((result) => ({ id: result.id, status: result.outcome })),
      })
    );
  }

  /** One verified delivery: identity → claim → validate → journal → hand-off → settle, all on its intake. */
  async function accept(intake: Intake, trace: RequestTrace): Promise<HandleResult> {
    const { event } = intake;
    try {
      // Each step that can answer at once (a known identity, an in-process store) is not awaited.
      const knownTenant = identityOf(settings, intake);
      intake.tenant = typeof knownTenant === "string" ? knownTenant : await knownTenant;
      const keyed = idempotencyKey(settings, intake);
      const key = typeof keyed === "string" ? keyed : await keyed;
      intake.key = key;
      // An answer this process gave (a `respond` type) is the answer to every retry, even one
      // that comes while a deferred handler still holds the key.
      const kept = keptAnswer(answers, key);
      const claimed = kept ?? claimKey(settings, key, event.id);
      const claim = claimed instanceof Promise ? await claimed : claimed;
      if ("duplicate" in claim) {
        handlers.emit({ kind: "duplicate", id: event.id, type: event.type });
        return duplicateAnswer(settings, responders, answers, key, event);
      }
      const lease = claim.lease;
      intake.lease = lease;
      if (!settings.scheme.facts.bodySigned) await bindBody(settings, intake);
      if (hasSchema(settings, event.type))
        event.payload = await validatePayload(settings, event.type, event.payload);
      // The journal's start time travels with the lease.
      if (settings.journal) lease.journaledAt = await journalReceived(settings, intake);
      // A synchronous answer, or inline handlers against the deadline (receiver/respond.ts, deadline.ts).
      const responder = responders.find(event.type);
      if (responder) return await respondTo(lateRun(intake), responder, responders, answers);
      if (!enqueue && !handlers.has(event.type)) return await unhandled(intake);
      // With a queue, order is judged in the worker, when the work is applied.
      const order = enqueue || !settings.ordering ? undefined : await judgeOrder(settings, intake);
      if (order?.stale) return await answerStale(settings, handlers, intake, order);
      if (!enqueue && settings.deadlineMs !== undefined)
        return await handleWithDeadline(lateRun(intake, order));
      const handed = handOff(
        settings,
        handlers,
        intake,
        trace.enqueue(enqueue),
        trace.enqueueInProcess(enqueueInProcess),
      );
      const outcome = typeof handed === "string" ? handed : await handed;
      if (order) await advanceOrder(settings, order, (error) => handlers.report(error, { delivery: event }));
      const settled = settleSuccess(settings, handlers, intake, outcome);
      if (settled) await settled;
      return outcome === "queued" ? accepted("queued", 202, event.id) : accepted("handled", 200, event.id);
    } catch (caught) {
      return settleFailure(settings, handlers, caught, intake, loggedSetupErrors);
    }
  }

  /**
   * What work that may outlive its answer needs: the receiver's `deadLetter` under the delivery's
   * key, and the ordering watermark to move once it is done.
   */
  function lateRun(intake: Intake, order?: OrderMark): DeadlineRun {
    const { event } = intake;
    return {
      settings,
      handlers,
      intake,
      deadLetter: (error) => receiver.deadLetter({ ...event, key: intake.key } as WebhookEvent, error),
      waitUntil: intake.request.waitUntil,
      beforeSettle: () =>
        advanceOrder(settings, order, (error) => handlers.report(error, { delivery: event })),
    };
  }

  /** A verified event no handler is registered for: acknowledged (and remembered), or refused. */
  async function unhandled(intake: Intake): Promise<HandleResult> {
    const { event } = intake;
    if (settings.unknownEvents === "reject") {
      throw new WebhookError(
        "unhandled_event",
        `hookgate: no handler is registered for ${event.type} events`,
      );
    }
    handlers.emit({ kind: "unhandled", id: event.id, type: event.type });
    await journalIgnored(settings, event, intake.lease!);
    await completeLease(settings, intake.lease!, event, (error) =>
      handlers.report(error, { delivery: event }),
    );
    return accepted("ignored", 200, event.id);
  }

  const receiver: Receiver<EventMap> = {
    scheme,
    on(type, handler) {
      handlers.on(type, handler as Handler<WebhookEvent>);
      return this;
    },
    onAny(handler) {
      handlers.onAny(handler as Handler<WebhookEvent>);
      return this;
    },
    onError(listener) {
      handlers.onError(listener);
      return this;
    },
    respond(type, responder) {
      responders.respond(type, responder as Responder<WebhookEvent>);
      return this;
    },
    onLate(listener) {
      responders.onLate(listener as (event: WebhookEvent, result: unknown) => unknown);
      return this;
    },
    handle,
    async fetch(request, context) {
      // On @hono/node-server, Node's own header record and, while nothing has read it, its body
      // (see `nodeHeaderRecord` and `unreadNodeBody`).
      const node = nodeHeaderRecord(context?.incoming);
      const headers = node ?? request.headers;
      const unread = !request.bodyUsed;
      const nodeBody = unread ? unreadNodeBody(context?.incoming) : undefined;
      const declared = getHeader(headers, "content-length") !== undefined;
      const result = await handle({
        method: request.method,
        url: context?.url ?? request.url,
        headers,
        // Else a declared length is read whole (faster than a stream), after core checked the length.
        rawBody:
          nodeBody ??
          (unread && declared ? () => request.arrayBuffer() : (request.body ?? new Uint8Array(0))),
        ip: context?.ip,
        params: context?.params,
        waitUntil: context?.waitUntil,
        bodyConsumedBy: request.bodyUsed
          ? "code that ran before hookgate (request.json(), request.text(), request.formData() or a framework's body parsing)"
          : undefined,
      });
      return new Response(result.body, { status: result.status, headers: result.headers });
    },
    dispatch: (delivery, dispatchOptions) =>
      traceDispatch(settings, delivery, () =>
        dispatchDelivery(settings, handlers, delivery, dispatchOptions),
      ),
    replay: (target, replayOptions) => replayDeliveries(settings, handlers, enqueue, target, replayOptions),
    deadLetter(delivery, error) {
      const kept = journalError(error);
      handlers.emit({ kind: "dead_letter", id: delivery.id, type: delivery.type, code: kept.code, error });
      return journalUpdate(
        settings,
        { id: delivery.id, key: ("key" in delivery && delivery.key) || delivery.id },
        { status: "dead", at: settings.now(), error: kept },
      );
    },
  };
  const bound = settings.queue?.attach?.((queued, options) => receiver.dispatch(queued, options), {
    deadLetter: (queued, error) => receiver.deadLetter(queued, error),
  });
  if (bound) enqueue = (delivery) => bound.enqueue(delivery);
  // Its jobs never leave the process: handed over as verified, unsealed (see `Queue`).
  if (bound?.enqueueInProcess) enqueueInProcess = (job) => bound.enqueueInProcess!(job);
  return receiver as unknown as Receiver<ResolveEvents<Events, S>, Answer>;
}

/** The user's `observe` and the receiver's alerts, both told every event (alerts first, never throwing). */
function withAlerts(
  observe: ((event: ReceiverEvent) => void) | undefined,
  alerts: (event: ReceiverEvent) => void,
): (event: ReceiverEvent) => void {
  if (!observe) return alerts;
  return (event) => {
    try {
      alerts(event);
    } finally {
      observe(event);
    }
  };
}
