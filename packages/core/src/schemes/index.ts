import { asana } from "./asana.js";
import { awsSns } from "./aws-sns.js";
import { basicAuth } from "./basic-auth.js";
import { bearerToken } from "./bearer-token.js";
import { bitbucket } from "./bitbucket.js";
import { box } from "./box.js";
import { calCom } from "./cal-com.js";
import { calendly } from "./calendly.js";
import { clerk } from "./clerk.js";
import { coinbase } from "./coinbase.js";
import { discord } from "./discord.js";
import { dropbox } from "./dropbox.js";
import { github } from "./github.js";
import { gitlab } from "./gitlab.js";
import { hmac } from "./hmac.js";
import { hubspot } from "./hubspot.js";
import { intercom } from "./intercom.js";
import { lemonSqueezy } from "./lemon-squeezy.js";
import { line } from "./line.js";
import { linear } from "./linear.js";
import { mailgun } from "./mailgun.js";
import { meta } from "./meta.js";
import { microsoftGraph } from "./microsoft-graph.js";
import { mux } from "./mux.js";
import { notion } from "./notion.js";
import { paddle } from "./paddle.js";
import { paypal } from "./paypal.js";
import { polar } from "./polar.js";
import { razorpay } from "./razorpay.js";
import { resend } from "./resend.js";
import { sendgrid } from "./sendgrid.js";
import { sentry } from "./sentry.js";
import { shopify } from "./shopify.js";
import { slack } from "./slack.js";
import { square } from "./square.js";
import { standardWebhooks } from "./standard-webhooks.js";
import { stripe } from "./stripe.js";
import { telegram } from "./telegram.js";
import { trello } from "./trello.js";
import { twilio } from "./twilio.js";
import { twitch } from "./twitch.js";
import { typeform } from "./typeform.js";
import { vercel } from "./vercel.js";
import { woocommerce } from "./woocommerce.js";
import { workos } from "./workos.js";
import { zendesk } from "./zendesk.js";
import { zoom } from "./zoom.js";

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
  sendgrid,
  square,
  hubspot,
  mux,
  workos,
  line,
  coinbase,
  twitch,
  resend,
  clerk,
  polar,
  zoom,
  lemonSqueezy,
  telegram,
  gitlab,
  bitbucket,
  intercom,
  typeform,
  calendly,
  sentry,
  vercel,
  notion,
  dropbox,
  box,
  zendesk,
  asana,
  calCom,
  trello,
  awsSns,
  mailgun,
  razorpay,
  woocommerce,
  meta,
  basicAuth,
  bearerToken,
  paypal,
  microsoftGraph,
  hmac,
} as const;
