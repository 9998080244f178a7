import { createPagesHandler } from "@hookgate/next";
import { github } from "../../../lib/receivers";

// Required: Next.js would otherwise parse the body and lose the bytes GitHub signed.
export const config = { api: { bodyParser: false } };

export default createPagesHandler(github);
