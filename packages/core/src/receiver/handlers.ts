import type { WebhookEvent } from "../queue.js";
import type { ErrorContext, Handler, ReceiverEvent } from "./types.js";

type ErrorListener = (error: unknown, context: ErrorContext) => void;

/** A receiver's handlers, error listeners and observer: registration, routing and reporting. */
export interface Handlers {
  on(type: string, handler: Handler<WebhookEvent>): void;
  onAny(handler: Handler<WebhookEvent>): void;
  onError(listener: ErrorListener): void;
  /** Whether any handler (including `onAny`) would run for `type`. */
  has(type: string): boolean;
  /** Runs every handler for the event in registration order; rejects with the first failure. */
  run(event: WebhookEvent): Promise<void>;
  /** Tells `observe`; an observer never changes an answer. */
  emit(event: ReceiverEvent): void;
  /** Tells the `onError` listeners; a listener never changes an answer. */
  report(error: unknown, context: ErrorContext): void;
}

/** True when `name` is `type` or a dotted prefix of it (`issues` for `issues.opened`). */
function matches(name: string, type: string): boolean {
  return type === name || (type.startsWith(name) && type.charCodeAt(name.length) === 46) /* . */;
}

export function createHandlers(observe: ((event: ReceiverEvent) => void) | undefined): Handlers {
  const byType = new Map<string, Array<Handler<WebhookEvent>>>();
  const any: Array<Handler<WebhookEvent>> = [];
  const listeners: ErrorListener[] = [];

  function handlersFor(type: string): Array<Handler<WebhookEvent>> {
    const out: Array<Handler<WebhookEvent>> = [];
    for (const [name, list] of byType) if (matches(name, type)) out.push(...list);
    return any.length ? out.concat(any) : out;
  }

  function emit(event: ReceiverEvent): void {
    if (!observe) return;
    try {
      observe(event);
    } catch {
      // An observer must never change an answer.
    }
  }

  return {
    on(type, handler) {
      const list = byType.get(type);
      if (list) list.push(handler);
      else byType.set(type, [handler]);
    },
    onAny(handler) {
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
    async run(event) {
      const list = handlersFor(event.type);
      const started = performance.now();
      try {
        for (const handler of list) await handler(event);
      } catch (error) {
        emit({
          kind: "failed",
          id: event.id,
          type: event.type,
          error,
          durationMs: performance.now() - started,
        });
        throw error;
      }
      emit({
        kind: "handled",
        id: event.id,
        type: event.type,
        handlers: list.length,
        durationMs: performance.now() - started,
      });
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
