import { type Scheme, schemes } from "@hookgate/core";

/** The built-in schemes {@link signingScheme} builds, by `scheme.name`. */
export const signingSchemeNames = [
  "standard-webhooks",
  "stripe",
  "github",
  "shopify",
  "slack",
  "twilio",
  "paddle",
  "linear",
  "discord",
] as const;

/** A name {@link signingScheme} accepts. */
export type SigningSchemeName = (typeof signingSchemeNames)[number];

const ALIASES: Record<string, SigningSchemeName> = {
  standardwebhooks: "standard-webhooks",
  svix: "standard-webhooks",
};

/** The canonical scheme name for `name` (case-insensitive; `standardWebhooks` and `svix` mean `standard-webhooks`). */
export function resolveSchemeName(name: string): SigningSchemeName | undefined {
  const lower = name.toLowerCase();
  return (signingSchemeNames as readonly string[]).includes(lower)
    ? (lower as SigningSchemeName)
    : ALIASES[lower.replace(/[-_]/g, "")];
}

/**
 * A built-in scheme, by name, that signs with `secret`: how {@link signedFixture}'s `secret`
 * option re-creates a scheme, and how the CLI builds one. For Discord, `secret` is the Ed25519
 * private key (hex seed), whose public key verifies.
 *
 * @example
 * const wrong = await signingScheme("stripe", "whsec_not_the_endpoint_secret");
 */
export async function signingScheme(name: string, secret: string): Promise<Scheme> {
  const resolved = resolveSchemeName(name);
  switch (resolved) {
    case "standard-webhooks":
      return schemes.standardWebhooks({ secret });
    case "discord":
      return schemes.discord({ privateKey: secret });
    case undefined:
      throw new TypeError(
        `hookgate: no built-in scheme named "${name}"; use one of ${signingSchemeNames.join(", ")} (for schemes.hmac() or your own scheme, pass the scheme itself, e.g. signedFixture's \`signWith\`)`,
      );
    default:
      return schemes[resolved]({ secret });
  }
}
