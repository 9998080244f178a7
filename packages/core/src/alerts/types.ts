/** What went wrong (or right again) that a person should hear about. */
export type AlertKind = "dead_letter" | "signature_failures" | "silence" | "recovered";

/**
 * An alert a receiver raises: plain JSON once `at` is serialised, with no secret, signature,
 * header or body in it — only the scheme, the delivery id and error codes.
 */
export interface Alert {
  kind: AlertKind;
  /** The receiver's scheme, e.g. `stripe`. */
  scheme: string;
  /** One line for a person, e.g. `hookgate: stripe delivery evt_1 was given up on (handler_failed)`. */
  message: string;
  at: Date;
  /** The delivery a `dead_letter` alert is about. */
  deliveryId?: string;
  /**
   * `signature_failures`: refusals in the window; `dead_letter`: deliveries given up on since the
   * last alert of that kind (more than 1 after throttling).
   */
  count?: number;
}

/** Sends an alert somewhere. May throw or hang: the receiver never waits for it. */
export type Notifier = (alert: Alert) => void | Promise<void>;

/** `createReceiver({ alerts })`: what to alert on, and where to. */
export interface AlertOptions {
  /** Where alerts go: your function, or `slackNotifier(url)`, `discordNotifier(url)`, `webhookNotifier(url)`. */
  notify: Notifier;
  /** Alert when a delivery is given up on (a dead letter), naming it. @default true */
  deadLetters?: boolean;
  /**
   * Alert when at least `threshold` requests fail signature checks within `windowMs` — usually a
   * rotated secret or a misconfigured tenant. `false` turns it off.
   * @default { threshold: 10, windowMs: 60000 }
   */
  signatureFailures?: { threshold?: number; windowMs?: number } | false;
  /**
   * Alert once when no verified delivery arrived for `afterMs` (a sender that stopped sending, an
   * endpoint it disabled), and `recovered` at the next one. Off unless given.
   */
  silence?: { afterMs: number };
  /**
   * At most one `dead_letter` and one `signature_failures` alert per window; dead letters within a
   * window are summed into one follow-up alert (`count`) when it ends. @default 300000 (5 minutes)
   */
  throttleMs?: number;
}
