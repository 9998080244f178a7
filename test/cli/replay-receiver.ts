// A user's receiver module, as `hookgate replay --receiver` loads it (test fixture).
import { createReceiver, schemes } from "@hookgate/core";

export const seen: string[] = [];

const receiver = createReceiver({ scheme: schemes.stripe({ secret: "whsec_cli_journal" }) });
receiver.on("invoice.paid", (event) => {
  seen.push(event.id);
});
export default receiver;
