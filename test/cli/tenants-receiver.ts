// A user's per-tenant receiver module, as `hookgate replay --receiver` loads it (test fixture).
import { createReceiver, schemes } from "@hookgate/core";

export const tenantSecrets: Record<string, string> = {
  acme: "whsec_cli_tenant_acme",
  globex: "whsec_cli_tenant_globex",
};
export const seenByTenant: string[] = [];

const receiver = createReceiver({
  scheme: schemes.stripe({ secret: ({ params }) => tenantSecrets[params.tenant ?? ""] ?? [] }),
});
receiver.on("invoice.paid", (event) => {
  seenByTenant.push(event.id);
});
export default receiver;
