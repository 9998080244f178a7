import {
  resolveSchemeKey,
  type Scheme,
  type SchemeSigningOptions,
  schemeForSecret,
  schemeNameOf,
  schemeNames,
} from "@hookgate/core";

/** The built-in schemes {@link signingScheme} builds, as `scheme.name` spells them. */
export const signingSchemeNames: readonly string[] = schemeNames;

/** A name {@link signingScheme} accepts. */
export type SigningSchemeName = string;

/** The canonical scheme name for `name` (any case; `standardWebhooks` and `svix` mean `standard-webhooks`). */
export function resolveSchemeName(name: string): SigningSchemeName | undefined {
  const key = resolveSchemeKey(name);
  return key === undefined ? undefined : schemeNameOf(key);
}

/**
 * A built-in scheme, by name, that signs with `secret`: how the CLI builds one. For Discord,
 * `secret` is the Ed25519 private key (hex seed), whose public key verifies; for aws-sns, the RSA
 * private key (PEM), with `options.topicArn` and `options.certificateUrl`; hmac needs
 * `options.header`. To sign with another secret for a scheme you already have, use
 * `scheme.withSigningKey(secret)`.
 *
 * @example
 * const wrong = await signingScheme("stripe", "whsec_not_the_endpoint_secret");
 * const key = await snsSigningKey();
 * const sns = await signingScheme("aws-sns", key.privateKey, { topicArn, certificateUrl: key.certificateUrl });
 */
export async function signingScheme(
  name: string,
  secret: string,
  options: SchemeSigningOptions = {},
): Promise<Scheme> {
  return schemeForSecret(name, secret, options);
}
