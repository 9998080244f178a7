import type { CryptoKeyMaterial } from "../internal/crypto.js";
import type { DecodedSecret } from "../internal/secrets.js";
import type { Delivery } from "../types.js";

/**
 * What verified a delivery, as the engine found it: a plain value the receiver carries beside the
 * delivery, never a property of it (a delivery is the user's: copying or spreading it changes no key).
 */
export interface Proof {
  /**
   * The matched signature, canonical (its bytes, not its text): what names a delivery that has no
   * id of its own. Absent for a shared token, which is the secret itself.
   */
  signature: Uint8Array | undefined;
  /** The key that verified it: what the receiver's seal is derived from, what a signed handshake answers with. */
  key: CryptoKeyMaterial;
  /**
   * The secrets it was verified against (the configured list, or what the secret function returned
   * for its tenant; none for a provider's global keys): what the receiver's tenant identity is derived from.
   */
  secrets: readonly DecodedSecret[];
}

/**
 * The receiver's check of a delivery it kept (journal row, queued job): given the key that
 * verifies, whether the receiver's seal over what it kept holds.
 */
export type KeptCheck = (key: CryptoKeyMaterial) => boolean | Promise<boolean>;

/** A delivery and what verified it: what the engine's verify gives the receiver. */
export interface Verified {
  delivery: Delivery;
  proof: Proof;
}
