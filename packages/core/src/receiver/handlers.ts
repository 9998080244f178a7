import type { WebhookEvent } from "../types.js";
import type { ErrorContext, Handler, ReceiverEvent } from "./types.js";

type ErrorListener = (error: unknown, context: ErrorContext) => void;

const DONE: Promise<void> = Promise.resolve();
const MAX_RESOLVED = 1024;

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | undefined)?.then === "function";
}

/** A receiver's handlers, error listeners and observer: registration, routing and reporting. */
export interface Handlers {
  on(type: string, handler: Handler<WebhookEvent>): void;
  onAny(handler: Handler<WebhookEvent>): void;
  onError(listener: ErrorListener): void;
  /** Whether any handler (including `onAny`) would run for `type`. */
  has(type: string): boolean;
  /** Runs every handler for the event in registration order; rejects with the first failure. */
  run(event: WebhookEvent): Promise<void>;
  /**
   * Whether anything observes (`observe`, alerts): where nothing does, a hot path skips building
   * the event it would `emit`.
   */
  readonly observed: boolean;
  /** Tells `observe`; an observer never changes an answer. */
  emit(event: ReceiverEvent): void;
  /** Tells the `onError` listeners; a listener never changes an answer. */
  report(error: unknown, context: ErrorContext): void;
}

/** True when `name` is `type` or a dotted prefix of it (`issues` for `issues.opened`). */
export function matches(name: string, type: string): boolean {
  return type === name || (type.startsWith(name) && type.charCodeAt(name.length) === 46) /* . */;
}

export function createHandlers(observe: ((event: ReceiverEvent) => void) | undefined): Handlers {
  const byType = new Map<string, Array<Handler<WebhookEvent>>>();
  const any: Array<Handler<WebhookEvent>> = [];
  const listeners: ErrorListener[] = [];

  // The handlers per event type, in the order they run; rebuilt after a registration.
  const resolved = new Map<string, Array<Handler<WebhookEvent>>>();

  function handlersFor(type: string): Array<Handler<WebhookEvent>> {
    let out = resolved.get(type);
    if (out) return out;
    out = [];
    for (const [name, list] of byType) if (matches(name, type)) out.push(...list);
    if (any.length) out = out.concat(any);
    // Event types are the senders' (signed) words: keep a bounded number of them.
    if (resolved.size >= MAX_RESOLVED) resolved.clear();
    resolved.set(type, out);
    return out;
  }

  function emit(event: ReceiverEvent): void {
    if (!observe) return;
    try {
      observe(event);
    } catch {
      // An observer must never change an answer.
    }
  }

  function failed(event: WebhookEvent, started: number, error: unknown): unknown {
    emit({ kind: "failed", id: event.id, type: event.type, error, durationMs: performance.now() - started });
    return error;
  }

  function handled(event: WebhookEvent, started: number, count: number): void {
    if (!observe) return;
    emit({
      kind: "handled",
      id: event.id,
      type: event.type,
      handlers: count,
      durationMs: performance.now() - started,
    });
  }

  /** The rest of a run, from the handler at `from`, whose promise is `pending`. */
  async function finish(
    event: WebhookEvent,
    started: number,
    list: Array<Handler<WebhookEvent>>,
    from: number,
    pending: PromiseLike<unknown>,
  ): Promise<void> {
    try {
      await pending;
      for (let i = from + 1; i < list.length; i++) await list[i]!(event);
    } catch (error) {
      throw failed(event, started, error);
    }
    handled(event, started, list.length);
  }

  return {
    observed: observe !== undefined,
    on(type, handler) {
      resolved.clear();
      const list = byType.get(type);
      if (list) list.push(handler);
      else byType.set(type, [handler]);
    },
    onAny(handler) {
      resolved.clear();
      any.push(handler);
    },
    onError(listener) {
      listeners.push(listener);
    },
    has(type) {
      if (any.length) return true;
      for (const name of byType.keys()) if (matches(name, type)) return true;
      return false;
    },
    run(event) {
      const list = handlersFor(event.type);
      // The run's duration is for the observer: unobserved, no clock is read.
      const started = observe ? performance.now() : 0;
      // Synchronous handlers run without a promise between them; from the first that returns one,
      // the rest wait for it, in order.
      for (let i = 0; i < list.length; i++) {
        let result: unknown;
        try {
          result = list[i]!(event);
        } catch (error) {
          return Promise.reject(failed(event, started, error));
        }
        if (isThenable(result)) return finish(event, started, list, i, result);
      }
      handled(event, started, list.length);
      return DONE;
    },
    emit,
    report(error, context) {
      for (const listener of listeners) {
        try {
          listener(error, context);
        } catch {
          // Nor must an error listener.
        }
      }
    },
  };
}
