import { checkOption } from "../internal/check-option.js";
import type { ReceiverEvent } from "../receiver/types.js";
import type { Alert, AlertKind, AlertOptions, Notifier } from "./types.js";

/** The refusals that mean "the signature did not check out" (a rotated secret, a wrong tenant). */
const SIGNATURE_FAILURES = new Set(["signature_mismatch", "missing_signature", "malformed_signature"]);

/** `createReceiver({ alerts })`, checked once, with every default filled in. */
export interface AlertSettings {
  notify: Notifier;
  deadLetters: boolean;
  signatureFailures: { threshold: number; windowMs: number } | undefined;
  silence: { afterMs: number } | undefined;
  throttleMs: number;
}

/** Checks `createReceiver({ alerts })`; throws `invalid_option` naming the option. */
export function resolveAlertOptions(options: AlertOptions | undefined): AlertSettings | undefined {
  const name = "createReceiver option alerts";
  if (checkOption.object(name, options) === undefined) return undefined;
  const notify = checkOption.callback(`${name}.notify`, options!.notify);
  if (!notify) throw checkOption.fail(`${name}.notify`, undefined, "a function (alert) => void");
  const failures = options!.signatureFailures;
  const silence = options!.silence;
  if (silence !== undefined) checkOption.object(`${name}.silence`, silence);
  return {
    notify,
    deadLetters: checkOption.boolean(`${name}.deadLetters`, options!.deadLetters, true),
    signatureFailures:
      failures === false
        ? undefined
        : {
            threshold: checkOption.whole(`${name}.signatureFailures.threshold`, failures?.threshold, 10),
            windowMs: checkOption.whole(`${name}.signatureFailures.windowMs`, failures?.windowMs, 60_000),
          },
    silence: silence && {
      afterMs: checkOption.whole(`${name}.silence.afterMs`, silence.afterMs ?? Number.NaN, 0, 1),
    },
    throttleMs: checkOption.whole(`${name}.throttleMs`, options!.throttleMs, 300_000, 0),
  };
}

/** A timer that never keeps a Node process alive (a no-op where the runtime has no `unref`). */
function later(ms: number, run: () => void): ReturnType<typeof setTimeout> {
  const timer = setTimeout(run, ms);
  (timer as { unref?: () => void }).unref?.();
  return timer;
}

/**
 * A receiver's alerting: it watches the receiver's events (what `observe` sees) and raises at most
 * one alert per kind and throttle window. Sending is fire-and-forget — a notifier that throws,
 * rejects or hangs never delays or changes an answer.
 */
export function createAlerts(settings: AlertSettings, scheme: string, now: () => Date) {
  // The times of the last `threshold` signature failures, oldest first: O(threshold) memory under a flood.
  let failures: number[] = [];
  const lastSent = new Map<AlertKind, number>();
  let deadSince = 0;
  let deadFlush: ReturnType<typeof setTimeout> | undefined;
  let lastDelivery = now().getTime();
  let silent = false;
  let silenceTimer: ReturnType<typeof setTimeout> | undefined;

  function send(alert: Omit<Alert, "scheme" | "at">): void {
    const full: Alert = { ...alert, scheme, at: now() };
    try {
      Promise.resolve(settings.notify(full)).catch(() => {});
    } catch {
      // A notifier must never change an answer.
    }
  }

  /** Whether a throttled kind may alert now; records the send when it may. */
  function open(kind: AlertKind): boolean {
    const at = now().getTime();
    const last = lastSent.get(kind);
    if (last !== undefined && at - last < settings.throttleMs) return false;
    lastSent.set(kind, at);
    return true;
  }

  function signatureFailed(): void {
    const { threshold, windowMs } = settings.signatureFailures!;
    const at = now().getTime();
    failures.push(at);
    if (failures.length > threshold) failures.shift();
    if (failures.length < threshold || at - failures[0]! >= windowMs || !open("signature_failures")) return;
    failures = [];
    send({
      kind: "signature_failures",
      count: threshold,
      message: `hookgate: ${threshold} ${scheme} requests failed signature checks within ${windowMs / 1000} s — a rotated or wrong secret?`,
    });
  }

  function deadLetter(id: string, code: string): void {
    if (open("dead_letter")) {
      send({
        kind: "dead_letter",
        deliveryId: id,
        count: 1,
        message: `hookgate: ${scheme} delivery ${id} was given up on (${code}); replay it once fixed`,
      });
      return;
    }
    deadSince++;
    deadFlush ??= later(settings.throttleMs - (now().getTime() - lastSent.get("dead_letter")!), () => {
      deadFlush = undefined;
      if (deadSince === 0) return;
      const count = deadSince;
      deadSince = 0;
      lastSent.set("dead_letter", now().getTime());
      send({
        kind: "dead_letter",
        count,
        message: `hookgate: ${count} more ${scheme} deliveries were given up on; see the journal's dead deliveries`,
      });
    });
  }

  /** Arms the silence check for when the last delivery will be `afterMs` old. */
  function armSilence(): void {
    if (!settings.silence || silent) return;
    const { afterMs } = settings.silence;
    const wait = lastDelivery + afterMs - now().getTime();
    if (wait > 0) {
      silenceTimer = later(wait, () => {
        silenceTimer = undefined;
        armSilence();
      });
      return;
    }
    silent = true;
    send({
      kind: "silence",
      message: `hookgate: no verified ${scheme} delivery for ${Math.round(afterMs / 1000)} s`,
    });
  }

  function delivered(): void {
    lastDelivery = now().getTime();
    if (silent) {
      silent = false;
      send({ kind: "recovered", message: `hookgate: ${scheme} deliveries are arriving again` });
    }
    if (!silenceTimer) armSilence();
  }

  // Workers forbid timers outside a request: then the first event arms the silence check.
  try {
    armSilence();
  } catch {
    silenceTimer = undefined;
  }

  return {
    /** Takes every event the receiver reports (alongside `observe`). */
    observe(event: ReceiverEvent): void {
      if (event.kind === "verified") delivered();
      else if (event.kind === "rejected" && settings.signatureFailures && SIGNATURE_FAILURES.has(event.code))
        signatureFailed();
      else if (event.kind === "dead_letter" && settings.deadLetters) deadLetter(event.id, event.code);
    },
    /** Stops the timers (tests, shutdown). */
    stop(): void {
      if (silenceTimer) clearTimeout(silenceTimer);
      if (deadFlush) clearTimeout(deadFlush);
      silenceTimer = deadFlush = undefined;
    },
  };
}
