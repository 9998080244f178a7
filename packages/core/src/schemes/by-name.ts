import { WebhookError } from "../errors.js";
import type { Scheme, SecretInput } from "../types.js";
import { schemes } from "./index.js";
import type { SchemeSigningOptions } from "./signing-options.js";

export type { SchemeSigningOptions } from "./signing-options.js";

/** A key of {@link schemes}: `stripe`, `standardWebhooks`, … */
export type SchemeKey = keyof typeof schemes;

/**
 * The options a built-in scheme takes, by its key: one name for every provider's options, so a
 * new scheme adds no export of its own.
 *
 * @example
 * const options: SchemeOptions<"github"> = { secret: process.env.GITHUB_WEBHOOK_SECRET!, allowSha1: false };
 */
export type SchemeOptions<K extends SchemeKey> = Parameters<(typeof schemes)[K]>[0];

type Factory = ((options: { secret: SecretInput }) => Scheme) & {
  /** The option that holds the secret, where it is not `secret` (Microsoft Graph's `clientState`). */
  secretOption?: string;
  fromSigningSecret?: (secret: string, options: SchemeSigningOptions) => Scheme;
  /** The options it needs beside the secret. */
  signingOptions?: readonly (keyof SchemeSigningOptions)[];
};

// Other names senders are known by.
const ALIASES: Record<string, SchemeKey> = { svix: "standardWebhooks" };

const normalize = (name: string) => name.toLowerCase().replace(/[-_\s]/g, "");
const kebab = (key: string) => key.replace(/[A-Z]/g, (ch) => `-${ch.toLowerCase()}`);

/**
 * The name of every built-in scheme, as `scheme.name` spells it (`standard-webhooks`): what
 * `hookgate sign --scheme` and the test kit accept. Two need more than a secret to sign
 * ({@link schemeNeedsOptions}): `aws-sns` and `hmac`.
 */
export const schemeNames: readonly string[] = Object.keys(schemes).map(kebab);

/** The {@link schemes} key for a name, any case and spelling (`standard-webhooks`, `standardWebhooks`, `svix`). */
export function resolveSchemeKey(name: string): SchemeKey | undefined {
  const wanted = normalize(name);
  for (const key of Object.keys(schemes) as SchemeKey[]) if (normalize(key) === wanted) return key;
  return ALIASES[wanted];
}

/**
 * The {@link SchemeSigningOptions} a built-in scheme needs beside its secret (`["topicArn",
 * "certificateUrl"]` for aws-sns); empty for the schemes one secret configures.
 */
export function schemeNeedsOptions(name: string): readonly (keyof SchemeSigningOptions)[] {
  const key = resolveSchemeKey(name);
  return key === undefined ? [] : ((schemes[key] as Factory).signingOptions ?? []);
}

/**
 * A built-in scheme by name that signs with `secret` (for Ed25519 and ECDSA schemes such as
 * Discord, the private key, whose public half verifies; for aws-sns, the RSA private key, PEM):
 * how the CLI and the test kit build one. aws-sns and hmac also need `options`.
 *
 * @example
 * const wrong = schemeForSecret("stripe", "whsec_not_the_endpoint_secret");
 * const sns = schemeForSecret("aws-sns", privateKeyPem, { topicArn, certificateUrl });
 */
export function schemeForSecret(name: string, secret: string, options: SchemeSigningOptions = {}): Scheme {
  const key = resolveSchemeKey(name);
  const factory = key === undefined ? undefined : (schemes[key] as Factory);
  if (!factory || key === undefined) {
    throw new WebhookError(
      "invalid_option",
      `hookgate: no built-in scheme named "${name}"; use one of ${schemeNames.join(", ")} (your own schemes are configured by more than a secret: pass the scheme itself)`,
    );
  }
  const missing = (factory.signingOptions ?? []).filter((option) => options[option] === undefined);
  if (missing.length > 0) {
    throw new WebhookError(
      "invalid_option",
      `hookgate: ${kebab(key)} is configured by more than a secret: it also needs ${missing.join(" and ")}`,
    );
  }
  return factory.fromSigningSecret
    ? factory.fromSigningSecret(secret, options)
    : factory({ [factory.secretOption ?? "secret"]: secret } as { secret: SecretInput });
}

/** `scheme.name` for a {@link schemes} key: its kebab case (`standardWebhooks` → `standard-webhooks`). */
export function schemeNameOf(key: SchemeKey): string {
  return kebab(key);
}
