import { WebhookError } from "../errors.js";
import type { Scheme, SecretInput } from "../types.js";
import { schemes } from "./index.js";

/** A key of {@link schemes}: `stripe`, `standardWebhooks`, … */
export type SchemeKey = keyof typeof schemes;

type Factory = ((options: { secret: SecretInput }) => Scheme) & {
  fromSigningSecret?: (secret: string) => Scheme;
  needsOptions?: true;
};

// Other names senders are known by.
const ALIASES: Record<string, SchemeKey> = { svix: "standardWebhooks" };

const normalize = (name: string) => name.toLowerCase().replace(/[-_\s]/g, "");
const kebab = (key: string) => key.replace(/[A-Z]/g, (ch) => `-${ch.toLowerCase()}`);

/**
 * The name of every built-in scheme that one signing secret configures, as `scheme.name` spells
 * it (`standard-webhooks`): what `hookgate sign --scheme` and the test kit accept.
 */
export const schemeNames: readonly string[] = Object.entries(schemes)
  .filter(([, factory]) => !(factory as Factory).needsOptions)
  .map(([key]) => kebab(key));

/** The {@link schemes} key for a name, any case and spelling (`standard-webhooks`, `standardWebhooks`, `svix`). */
export function resolveSchemeKey(name: string): SchemeKey | undefined {
  const wanted = normalize(name);
  for (const key of Object.keys(schemes) as SchemeKey[]) if (normalize(key) === wanted) return key;
  return ALIASES[wanted];
}

/**
 * A built-in scheme by name that signs with `secret` (for Ed25519 schemes such as Discord, the
 * private key, whose public half verifies): how the CLI and the test kit build one.
 *
 * @example
 * const wrong = schemeForSecret("stripe", "whsec_not_the_endpoint_secret");
 */
export function schemeForSecret(name: string, secret: string): Scheme {
  const key = resolveSchemeKey(name);
  const factory = key === undefined ? undefined : (schemes[key] as Factory);
  if (!factory || factory.needsOptions) {
    throw new WebhookError(
      "invalid_option",
      `hookgate: no built-in scheme named "${name}"; use one of ${schemeNames.join(", ")} (schemes.hmac() and your own schemes are configured by more than a secret: pass the scheme itself)`,
    );
  }
  return factory.fromSigningSecret ? factory.fromSigningSecret(secret) : factory({ secret });
}

/** `scheme.name` for a {@link schemes} key: its kebab case (`standardWebhooks` → `standard-webhooks`). */
export function schemeNameOf(key: SchemeKey): string {
  return kebab(key);
}
