import { discord } from "./discord.js";
import { github } from "./github.js";
import { hmac } from "./hmac.js";
import { linear } from "./linear.js";
import { paddle } from "./paddle.js";
import { shopify } from "./shopify.js";
import { slack } from "./slack.js";
import { standardWebhooks } from "./standard-webhooks.js";
import { stripe } from "./stripe.js";
import { twilio } from "./twilio.js";

/**
 * Every built-in provider scheme. Each takes the provider's secret(s) and returns a
 * {@link Scheme} that verifies requests and signs test ones.
 *
 * @example
 * const scheme = schemes.github({ secret: process.env.GITHUB_WEBHOOK_SECRET! });
 */
export const schemes = {
  standardWebhooks,
  stripe,
  github,
  shopify,
  slack,
  twilio,
  paddle,
  linear,
  discord,
  hmac,
} as const;
