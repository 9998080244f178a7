import { createRouteHandler } from "@hookgate/next";
import { stripe } from "../../../../lib/receivers";

// App Router, Node.js runtime: hookgate reads request.body itself, so there is nothing to configure.
export const { POST } = createRouteHandler(stripe);
