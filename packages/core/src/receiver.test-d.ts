import { describe, expectTypeOf, it } from "vitest";
import { createReceiver } from "./receiver/create-receiver.js";
import { schemes } from "./schemes/index.js";
import type { StandardSchemaV1 } from "./standard-schema.js";
import type { WebhookEvent } from "./types.js";

const scheme = schemes.github({ secret: "s" });

interface Events {
  "issues.opened": { action: "opened"; issue: { number: number } };
  "issues.closed": { action: "closed"; issue: { number: number; state_reason: string } };
  push: { ref: string; commits: unknown[] };
}

declare function schema<T>(): StandardSchemaV1<unknown, T>;

describe("typed handlers", () => {
  it("types event.payload from a generic type map", () => {
    createReceiver<Events>({ scheme }).on("push", (event) => {
      expectTypeOf(event.type).toEqualTypeOf<"push">();
      expectTypeOf(event.payload).toEqualTypeOf<{ ref: string; commits: unknown[] }>();
      expectTypeOf(event).toMatchTypeOf<WebhookEvent>();
    });
  });

  it("types a prefix handler as the union of the types under it, narrowed by type", () => {
    createReceiver<Events>({ scheme }).on("issues", (event) => {
      expectTypeOf(event.type).toEqualTypeOf<"issues.opened" | "issues.closed">();
      if (event.type === "issues.closed")
        expectTypeOf(event.payload.issue.state_reason).toEqualTypeOf<string>();
    });
  });

  it("matches a prefix only at a dot, and an exact name that is also a prefix with the names under it", () => {
    interface Nested {
      issues: { kind: "bare" };
      "issues.opened": { kind: "opened" };
      "issues_extra.created": { kind: "other" };
      "issuesx.created": { kind: "other" };
    }
    createReceiver<Nested>({ scheme }).on("issues", (event) => {
      expectTypeOf(event.type).toEqualTypeOf<"issues" | "issues.opened">();
      expectTypeOf(event.payload.kind).toEqualTypeOf<"bare" | "opened">();
    });
    createReceiver<Nested>({ scheme }).on("issues.opened", (event) => {
      expectTypeOf(event.type).toEqualTypeOf<"issues.opened">();
    });
  });

  it("infers the map from Standard Schema validators", () => {
    const receiver = createReceiver({
      scheme,
      events: { "order.created": schema<{ orderId: string; total: number }>() },
    });
    receiver.on("order.created", (event) => {
      expectTypeOf(event.payload).toEqualTypeOf<{ orderId: string; total: number }>();
    });
    // @ts-expect-error — not in the schema map
    receiver.on("order.deleted", () => {});
  });

  it("makes an unknown event name a type error where the map is closed", () => {
    const receiver = createReceiver<Events>({ scheme });
    // @ts-expect-error — not an event type nor a prefix of one
    receiver.on("pull_request", () => {});
    // @ts-expect-error — a prefix must end at a dot
    receiver.on("iss", () => {});
  });

  it("accepts any name with an unknown payload when no map is given", () => {
    createReceiver({ scheme }).on("anything.at.all", (event) => {
      expectTypeOf(event.type).toEqualTypeOf<string>();
      expectTypeOf(event.payload).toEqualTypeOf<unknown>();
    });
  });

  it("types onAny as every event of the map", () => {
    createReceiver<Events>({ scheme }).onAny((event) => {
      expectTypeOf(event.type).toEqualTypeOf<"issues.opened" | "issues.closed" | "push">();
    });
  });
});

// A map the size of Octokit's (~330 event names, one-, two- and three-segment) with payloads that
// share large nested objects, as real providers' do; the receiver's types must stay exact on it.
type Resource =
  | "issues"
  | "issue_comment"
  | "pull_request"
  | "pull_request_review"
  | "push"
  | "release"
  | "deployment"
  | "deployment_status"
  | "check_run"
  | "check_suite"
  | "workflow_run"
  | "workflow_job"
  | "discussion"
  | "discussion_comment"
  | "label"
  | "milestone"
  | "project"
  | "project_card"
  | "repository"
  | "member"
  | "team"
  | "organization"
  | "package"
  | "star"
  | "watch"
  | "fork"
  | "gollum"
  | "sponsorship"
  | "security_advisory"
  | "code_scanning_alert";
type Action =
  | "opened"
  | "closed"
  | "reopened"
  | "edited"
  | "deleted"
  | "created"
  | "labeled"
  | "unlabeled"
  | "assigned"
  | "unassigned";
type Nested = "customer.subscription" | "customer.source" | "billing_portal.session";
type NestedAction = "created" | "updated" | "deleted" | "paused" | "resumed";
interface User {
  login: string;
  id: number;
  node_id: string;
  avatar_url: string;
  site_admin: boolean;
}
interface Repository {
  id: number;
  name: string;
  full_name: string;
  private: boolean;
  owner: User;
  html_url: string;
  description: string | null;
  fork: boolean;
  created_at: string;
  updated_at: string;
  pushed_at: string;
  default_branch: string;
  topics: string[];
  license: { key: string; name: string } | null;
}
type Payload<R extends string, A extends string> = {
  action: A;
  repository: Repository;
  sender: User;
} & { [K in R]: { id: number; number: number; title: string; state: "open" | "closed"; user: User } };
type LastSegment<S extends string> = S extends `${string}.${infer T}` ? LastSegment<T> : S;
type LargeEvents = {
  [N in `${Resource}.${Action}` | Resource | `${Nested}.${NestedAction}`]: N extends `${Nested}.${string}`
    ? { object: string; status: LastSegment<N>; customer: string }
    : N extends `${infer R extends Resource}.${infer A}`
      ? Payload<R, A>
      : Payload<N & string, Action>;
};
type IssuesEvent = "issues" | `issues.${Action}`;

describe("typed handlers on a large map", () => {
  const receiver = createReceiver<LargeEvents>({ scheme });

  it("types one event exactly, as a WebhookEvent of its payload", () => {
    receiver.on("issues.opened", (event) => {
      expectTypeOf(event.type).toEqualTypeOf<"issues.opened">();
      expectTypeOf(event.payload).toEqualTypeOf<Payload<"issues", "opened">>();
      expectTypeOf(event).toEqualTypeOf<WebhookEvent<"issues.opened", Payload<"issues", "opened">>>();
      expectTypeOf(event.payload.issues.state).toEqualTypeOf<"open" | "closed">();
    });
  });

  it("keeps a wrong payload field and a wrong field type type errors", () => {
    receiver.on("pull_request.closed", (event) => {
      // @ts-expect-error — no such field on this payload
      event.payload.issues;
      // @ts-expect-error — `id` is a number
      const id: string = event.payload.pull_request.id;
      // @ts-expect-error — the action of `pull_request.closed` is "closed"
      const action: "opened" = event.payload.action;
      return [id, action];
    });
  });

  it("makes unknown names type errors, and accepts every prefix", () => {
    // @ts-expect-error — no such event
    receiver.on("issues.exploded", () => {});
    // @ts-expect-error — no such event nor prefix
    receiver.on("nothing", () => {});
    // @ts-expect-error — a prefix ends at a dot
    receiver.on("customer.sub", () => {});
    receiver.on("customer", () => {});
    receiver.on("customer.subscription", () => {});
  });

  it("gives a prefix handler the union of the events under it, discriminated by type", () => {
    receiver.on("issues", (event) => {
      expectTypeOf(event.type).toEqualTypeOf<IssuesEvent>();
      if (event.type === "issues.closed") expectTypeOf(event.payload.action).toEqualTypeOf<"closed">();
      else if (event.type === "issues") expectTypeOf(event.payload.action).toEqualTypeOf<Action>();
    });
    receiver.on("customer.subscription", (event) => {
      expectTypeOf(event.type).toEqualTypeOf<`customer.subscription.${NestedAction}`>();
      if (event.type === "customer.subscription.paused")
        expectTypeOf(event.payload.status).toEqualTypeOf<"paused">();
    });
  });

  it("types onAny as the union of every event", () => {
    receiver.onAny((event) => {
      expectTypeOf(event.type).toEqualTypeOf<keyof LargeEvents>();
      if (event.type === "push.created") expectTypeOf(event.payload.push.number).toEqualTypeOf<number>();
    });
  });

  it("rejects a handler that expects another event's payload", () => {
    // @ts-expect-error — a `push` handler does not receive a pull request
    receiver.on("push", (event: WebhookEvent<"push", { pull_request: { id: number } }>) => event);
  });
});
