import { describe, expectTypeOf, it } from "vitest";
import type { DiscordInteractionResponse } from "../schemes/discord.js";
import { schemes } from "../schemes/index.js";
import type { SlackAnswer } from "../schemes/slack.js";
import type { HeaderSigningScheme, Scheme } from "../types.js";
import { createReceiver } from "./create-receiver.js";
import type { RespondAnswer } from "./types.js";

const discord = schemes.discord({ publicKey: "00" });
const slack = schemes.slack({ secret: "s" });

describe("respond: answers typed by the scheme", () => {
  it("carries each scheme's answer type", () => {
    expectTypeOf(discord).toEqualTypeOf<HeaderSigningScheme<DiscordInteractionResponse>>();
    expectTypeOf(slack).toEqualTypeOf<HeaderSigningScheme<SlackAnswer>>();
    // A typed scheme is still a Scheme wherever one is taken.
    expectTypeOf(discord).toMatchTypeOf<Scheme>();
  });

  it("accepts Discord interaction responses and refuses other shapes", () => {
    const receiver = createReceiver({ scheme: discord });
    receiver.respond("application_command", () => ({ type: 4, data: { content: "pong" } }));
    receiver.respond("message_component", async () => ({ type: 6 }));
    receiver.respond("modal_submit", () => ({ status: 200, body: { type: 4, data: { content: "ok" } } }));
    // @ts-expect-error: a CHANNEL_MESSAGE_WITH_SOURCE needs its data
    receiver.respond("application_command", () => ({ type: 4 }));
    // @ts-expect-error: 3 is no interaction callback type
    receiver.respond("application_command", () => ({ type: 3, data: { content: "x" } }));
    // @ts-expect-error: Slack's shape is not Discord's
    receiver.respond("application_command", () => ({ text: "hi" }));
  });

  it("accepts Slack messages, modal actions and an empty acknowledgement", () => {
    const receiver = createReceiver({ scheme: slack });
    receiver.respond("slash_command", () => ({ text: "hi", response_type: "in_channel" }));
    receiver.respond("view_submission", () => ({ response_action: "errors", errors: { title: "required" } }));
    receiver.respond("block_actions", () => undefined);
    // @ts-expect-error: response_type is ephemeral or in_channel
    receiver.respond("slash_command", () => ({ text: "hi", response_type: "everyone" }));
  });

  it("gives onLate the late value in the scheme's type", () => {
    createReceiver({ scheme: discord }).onLate((event, result) => {
      expectTypeOf(result).toEqualTypeOf<RespondAnswer<DiscordInteractionResponse>>();
      expectTypeOf(event.id).toEqualTypeOf<string>();
    });
  });

  it("leaves answers untyped for schemes whose provider reads none", () => {
    const receiver = createReceiver({ scheme: schemes.stripe({ secret: "s" }) });
    receiver.respond("invoice.paid", () => ({ anything: ["goes"] }));
  });
});
