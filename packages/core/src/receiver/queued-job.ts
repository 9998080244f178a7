import { journalHeaders } from "../journal/redact.js";
import {
  type InProcessJob,
  type QueueDispatchOptions,
  type QueuedDelivery,
  toQueuedDelivery,
} from "../queue.js";
import { dispatchDelivery, dispatchIntake } from "./dispatch.js";
import type { Handlers } from "./handlers.js";
import type { Intake } from "./intake.js";
import type { Settings } from "./options.js";
import { keptOf, seal } from "./seal.js";
import { traceDispatch, traceJob } from "./telemetry.js";

/**
 * The job as plain JSON, sealed: what a queue that carries jobs out of the process is given.
 * Sealed at once where node:crypto is present (no promise turn before the hand-off).
 */
export function sealedJob(settings: Settings, intake: Intake): QueuedDelivery | Promise<QueuedDelivery> {
  const { event, request, key, tenant } = intake;
  const headers = journalHeaders(request.headers, settings.scheme, []);
  const kept = keptOf(event, key, tenant, headers, request);
  const queued = toQueuedDelivery(event, headers, request.url, key);
  if (tenant !== "") queued.tenant = tenant;
  if (kept.params) queued.params = { ...kept.params };
  const sealed = seal(settings, intake.proof?.key, kept);
  if (sealed instanceof Promise) {
    return sealed.then((value) => {
      queued.seal = value;
      return queued;
    });
  }
  queued.seal = sealed;
  return queued;
}

/**
 * The receiver's own job for a queue whose jobs never leave the process (`enqueueInProcess`):
 * the request's intake as it is — the verified event, its proof, key and tenant — no JSON, no
 * seal. Its sealed JSON form is made only when something asks for it (a dead letter, a run with
 * `verify: true`). Only the receiver makes one; nothing a worker is handed is taken for one.
 */
export class HandedJob implements InProcessJob {
  traceparent?: string;
  tracestate?: string;
  readonly #settings: Settings;
  readonly #handlers: Handlers;
  readonly #intake: Intake;

  constructor(settings: Settings, handlers: Handlers, intake: Intake) {
    this.#settings = settings;
    this.#handlers = handlers;
    this.#intake = intake;
  }

  get key(): string {
    return this.#intake.key;
  }

  get id(): string {
    return this.#intake.event.id;
  }

  get type(): string {
    return this.#intake.event.type;
  }

  run(options?: QueueDispatchOptions): Promise<void> {
    const settings = this.#settings;
    const handlers = this.#handlers;
    // Verifying means checking what a worker would be given: the sealed form, by the same code.
    if (options?.verify) {
      return this.queued().then((queued) =>
        traceDispatch(settings, queued, () => dispatchDelivery(settings, handlers, queued, options)),
      );
    }
    const intake = this.#intake;
    // Each run gets its own copy of the event the request verified (and validated), under its key.
    const run = () =>
      dispatchIntake(
        settings,
        handlers,
        {
          event: { ...intake.event },
          proof: intake.proof,
          request: intake.request,
          tenant: intake.tenant,
          key: intake.key,
          lease: undefined,
        },
        options?.once === true,
      );
    if (!settings.telemetry?.dispatch) return run();
    const { event } = intake;
    return traceJob(
      settings,
      {
        scheme: event.scheme,
        type: event.type,
        id: event.id,
        receivedAt: event.receivedAt,
        traceparent: this.traceparent,
        tracestate: this.tracestate,
      },
      run,
    );
  }

  async queued(): Promise<QueuedDelivery> {
    const queued = await sealedJob(this.#settings, this.#intake);
    if (this.traceparent !== undefined) queued.traceparent = this.traceparent;
    if (this.tracestate !== undefined) queued.tracestate = this.tracestate;
    return queued;
  }
}
