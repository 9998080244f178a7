import { describe, expect, it } from "vitest";
import { isWebhookError, WebhookError, webhookErrorStatus } from "./errors.js";

describe("WebhookError", () => {
  it("carries a stable code, its status and a prefixed message", () => {
    const error = new WebhookError("signature_mismatch", "no secret matched");
    expect(error).toMatchObject({
      name: "WebhookError",
      code: "signature_mismatch",
      status: 401,
      message: "hookgate: no secret matched",
    });
    expect(error.toJSON()).toEqual({
      error: { code: "signature_mismatch", message: "hookgate: no secret matched" },
    });
  });

  it("maps each code to the status DESIGN.md gives it", () => {
    expect(webhookErrorStatus).toMatchObject({
      missing_signature: 400,
      malformed_signature: 400,
      invalid_payload: 400,
      signature_mismatch: 401,
      timestamp_too_old: 401,
      timestamp_in_future: 401,
      body_too_large: 413,
      schema_validation_failed: 422,
      in_flight: 409,
      store_unavailable: 503,
      handler_failed: 500,
    });
  });

  it("is recognised across two copies of the package, by name and shape", () => {
    const foreign = Object.assign(new Error("x"), { name: "WebhookError", code: "in_flight", status: 409 });
    expect(isWebhookError(foreign)).toBe(true);
    expect(isWebhookError(new Error("x"))).toBe(false);
    expect(isWebhookError({ name: "WebhookError" })).toBe(false);
    expect(isWebhookError(null)).toBe(false);
  });
});
