// The runtime suite as a Worker: GET / runs it and answers the results as JSON.
import { runSuite } from "./suite.js";

export default {
  async fetch(): Promise<Response> {
    return Response.json(await runSuite());
  },
};
