/**
 * The handler files `bench/types` type-checks: the same handlers written against Octokit's own
 * `Webhooks` class and against `createReceiver<Map>` with Octokit's full event map, plus a receiver
 * typed by Stripe's `Stripe.Event` union. Each handler reads a payload field, so the payload types are
 * really resolved, not just named.
 */
export interface TypeCase {
  name: string;
  /** What this case measures, for the table. */
  label: string;
  /** The row whose counts this case's are divided by. */
  reference?: string;
  source: string;
  /** The same file without its handlers. */
  baseline?: string;
  /** The same imports only. */
  imports?: string;
  /** A baseline row, not printed on its own. */
  isBaseline?: boolean;
}

const octokitImports = `import { Webhooks } from "@octokit/webhooks";
const webhooks = new Webhooks({ secret: "s" });
`;

const octokitMap = `import type { EmitterWebhookEvent, EmitterWebhookEventName } from "@octokit/webhooks";
import { createReceiver, schemes } from "@hookgate/core";
type GithubEvents = { [K in EmitterWebhookEventName]: EmitterWebhookEvent<K>["payload"] };
const receiver = createReceiver<GithubEvents>({ scheme: schemes.github({ secret: "s" }) });
`;

const octokitOne = `webhooks.on("issues.opened", (event) => {
  const n: number = event.payload.issue.number;
  return n;
});
`;
const receiverOne = `receiver.on("issues.opened", (event) => {
  const n: number = event.payload.issue.number;
  return n;
});
`;

const octokitFive = `${octokitOne}webhooks.on("issues", (event) => {
  const action: string = event.payload.action;
  return action;
});
webhooks.on("pull_request.closed", (event) => {
  const merged: boolean | null = event.payload.pull_request.merged;
  return merged;
});
webhooks.on("push", (event) => {
  const ref: string = event.payload.ref;
  return ref;
});
webhooks.onAny((event) => {
  const name: string = event.name;
  return name;
});
`;
const receiverFive = `${receiverOne}receiver.on("issues", (event) => {
  const action: string = event.payload.action;
  if (event.type === "issues.opened") return event.payload.issue.number;
  return action;
});
receiver.on("pull_request.closed", (event) => {
  const merged: boolean | null = event.payload.pull_request.merged;
  return merged;
});
receiver.on("push", (event) => {
  const ref: string = event.payload.ref;
  return ref;
});
receiver.onAny((event) => {
  const type: string = event.type;
  return type;
});
`;

const stripeMap = `import type Stripe from "stripe";
import { createReceiver, schemes } from "@hookgate/core";
type StripeEvents = { [T in Stripe.Event["type"]]: Extract<Stripe.Event, { type: T }> };
const receiver = createReceiver<StripeEvents>({ scheme: schemes.stripe({ secret: "s" }) });
`;

const stripe = `${stripeMap}receiver.on("invoice.paid", (event) => {
  const id: string = event.payload.data.object.id;
  return id;
});
receiver.on("customer.subscription", (event) => {
  const status: Stripe.Subscription.Status = event.payload.data.object.status;
  if (event.type === "customer.subscription.deleted") return event.payload.data.object.ended_at;
  return status;
});
receiver.on("checkout.session.completed", (event) => {
  const total: number | null = event.payload.data.object.amount_total;
  return total;
});
`;

const coreOnly = `import { createReceiver, schemes } from "@hookgate/core";
createReceiver({ scheme: schemes.github({ secret: "s" }) });
export {};
`;

/**
 * Baselines first. Each measured case names two baselines: `baseline`, the same file without its
 * handlers (what the handlers cost), and `imports`, the bare imports (what the handlers plus the
 * map declaration cost: for hookgate, core's own source is checked from `.ts` and is subtracted).
 */
export const typeCases: TypeCase[] = [
  { name: "octokit-empty", label: "", isBaseline: true, source: `${octokitImports}export {};\n` },
  { name: "core-only", label: "", isBaseline: true, source: coreOnly },
  { name: "hookgate-octokit-empty", label: "", isBaseline: true, source: octokitMap },
  { name: "hookgate-stripe-empty", label: "", isBaseline: true, source: stripeMap },
  {
    name: "octokit-1",
    label: "Octokit `Webhooks`: `issues.opened`",
    baseline: "octokit-empty",
    imports: "octokit-empty",
    source: `${octokitImports}${octokitOne}`,
  },
  {
    name: "hookgate-octokit-1",
    label: "hookgate, Octokit's full map: `issues.opened`",
    reference: "octokit-1",
    baseline: "hookgate-octokit-empty",
    imports: "core-only",
    source: `${octokitMap}${receiverOne}`,
  },
  {
    name: "octokit-5",
    label: "Octokit `Webhooks`: five handlers",
    baseline: "octokit-empty",
    imports: "octokit-empty",
    source: `${octokitImports}${octokitFive}`,
  },
  {
    name: "hookgate-octokit-5",
    label: "hookgate, Octokit's full map: five handlers",
    reference: "octokit-5",
    baseline: "hookgate-octokit-empty",
    imports: "core-only",
    source: `${octokitMap}${receiverFive}`,
  },
  {
    name: "hookgate-stripe-3",
    label:
      "hookgate, `Stripe.Event` map: `invoice.paid`, `customer.subscription` prefix, `checkout.session.completed`",
    baseline: "hookgate-stripe-empty",
    imports: "core-only",
    source: stripe,
  },
];
