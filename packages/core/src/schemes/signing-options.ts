/**
 * What `schemeForSecret` needs beyond the secret, for the schemes one secret does not
 * configure: AWS SNS (`topicArn`, `certificateUrl`) and `hmac` (`header`, …).
 */
export interface SchemeSigningOptions {
  /** aws-sns: the topic ARN the receiver accepts, written into the message. */
  topicArn?: string | undefined;
  /** Certificate schemes (aws-sns, paypal): where the receiver fetches the signing certificate, on the provider's host. */
  certificateUrl?: string | undefined;
  /** paypal: the webhook ID the receiver is configured with (it is part of what PayPal signs). */
  webhookId?: string | undefined;
  /** hmac: the signature header, e.g. `x-signature`. */
  header?: string | undefined;
  /** hmac: a prefix before the signature, e.g. `sha256=`. */
  prefix?: string | undefined;
  /** hmac: a header carrying the signed timestamp (then `{timestamp}.{body}` is signed). */
  timestampHeader?: string | undefined;
}
