import type { Proof } from "../scheme/proof.js";
import type { HeadersInput, WebhookEvent } from "../types.js";
import type { Lease } from "./lease.js";

/** What the receiver keeps of the request a delivery came in: for its journal row, its job and their seal. */
export interface IntakeRequest {
  headers: HeadersInput;
  url?: string | undefined;
  params?: Readonly<Record<string, string>> | undefined;
  /** The request's `waitUntil`, for work that outlives the answer. */
  waitUntil?: ((promise: Promise<unknown>) => void) | undefined;
}

/**
 * One delivery on its way through the receiver: made once it verified (or once a worker, a replay
 * or `dispatch` took it in) and handed from stage to stage — identity, claim, validate, journal,
 * respond, ordering, hand-off, settle — each reading what it needs here and writing what it found.
 * What verified the delivery travels beside it as a plain value (`proof`), never on the delivery,
 * so a copy or a spread of the delivery in user code changes no key, tenant or seal.
 */
export interface Intake {
  /** What handlers see: the verified delivery with its receipt time (`validate` may replace its payload). */
  event: WebhookEvent;
  /**
   * What verified it (signature, matched key, secret set), shared by every event of a batch.
   * Absent for a scheme `defineScheme` did not build (a hand-written one), a delivery handed to
   * `dispatch` as is, or a replay without verification: the tenant is then the scheme's configured
   * secrets' identity if it has static ones, else `""`, and seals need the receiver's `sealKey`.
   */
  proof: Proof | undefined;
  request: IntakeRequest;
  /** The identity of the secrets that verified it, `""` where there is none; set by the identity stage. */
  tenant: string;
  /** The idempotency key (namespace, scheme, tenant, id); set by the claim stage. */
  key: string;
  /** The lease on `key` once claimed: held by its token until the delivery is settled. */
  lease: Lease | undefined;
}

/** A new intake; `tenant` and `key` are filled in by their stages. */
export function intakeOf(event: WebhookEvent, proof: Proof | undefined, request: IntakeRequest): Intake {
  return { event, proof, request, tenant: "", key: "", lease: undefined };
}
