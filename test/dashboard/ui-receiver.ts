// A user's receiver module, as `hookgate ui --receiver` loads it (test fixture): the handler that
// failed in production now succeeds, so a replay from the dashboard takes the delivery to handled.
import { createReceiver, schemes } from "@hookgate/core";

export const SECRET = "whsec_dashboard_browser";

const receiver = createReceiver({ scheme: schemes.stripe({ secret: SECRET }) });
receiver.on("invoice.paid", async () => {});
receiver.on("invoice.payment_failed", async () => {});
export default receiver;
