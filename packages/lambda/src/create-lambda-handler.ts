import { STATUS_CODES } from "node:http";
import type { Receiver } from "@hookgate/core";
import type { LambdaHttpEvent, LambdaHttpResult } from "./lambda-event.js";

/** Options for {@link createLambdaHandler}. */
export interface LambdaHandlerOptions {
  /**
   * The public URL the sender posted to, for schemes that sign it (Twilio). Set it behind a custom
   * domain or CloudFront, or for a REST API, whose query string arrives decoded.
   * @default `https://${host}${path}?${query}` as the event describes them
   */
  publicUrl?: string | ((event: LambdaHttpEvent) => string);
}

/** What a middleware (middy's http-json-body-parser) leaves in `event.body` after parsing it. */
const PARSERS =
  "a body parser that ran before this handler (@middy/http-json-body-parser or another middleware)";

/**
 * A Lambda handler for API Gateway REST and HTTP APIs, Function URLs and ALB: decodes the body
 * exactly (`isBase64Encoded`), runs it through the receiver and answers in the event's own shape.
 *
 * @example
 * export const handler = createLambdaHandler(receiver);
 */
export function createLambdaHandler(
  receiver: Pick<Receiver, "handle">,
  options: LambdaHandlerOptions = {},
): (event: LambdaHttpEvent) => Promise<LambdaHttpResult> {
  const { publicUrl } = options;
  return async (event) => {
    const headers = new Headers();
    for (const [name, values] of Object.entries(event.multiValueHeaders ?? {}))
      for (const value of values ?? []) headers.append(name, value);
    if (!event.multiValueHeaders)
      for (const [name, value] of Object.entries(event.headers ?? {}))
        if (value !== undefined) headers.set(name, value);
    if (event.cookies?.length) headers.set("cookie", event.cookies.join("; "));
    const context = event.requestContext;
    const forwardedFor = headers.get("x-forwarded-for")?.split(",");
    const { body } = event;
    const result = await receiver.handle({
      method: context?.http?.method ?? event.httpMethod,
      url: typeof publicUrl === "function" ? publicUrl(event) : (publicUrl ?? eventUrl(event, headers)),
      headers,
      rawBody: typeof body === "string" && event.isBase64Encoded ? Buffer.from(body, "base64") : (body ?? ""),
      // ALB appends the address that connected to it as the last X-Forwarded-For entry.
      ip: context?.http?.sourceIp ?? context?.identity?.sourceIp ?? forwardedFor?.at(-1)?.trim(),
      params: event.pathParameters
        ? (Object.fromEntries(
            Object.entries(event.pathParameters).filter(([, v]) => v !== undefined),
          ) as Record<string, string>)
        : undefined,
      bodyConsumedBy: body === null || body === undefined || typeof body === "string" ? undefined : PARSERS,
    });
    const multi = Boolean(event.multiValueHeaders);
    return {
      statusCode: result.status,
      ...(context?.elb
        ? { statusDescription: `${result.status} ${STATUS_CODES[result.status] ?? ""}`.trim() }
        : {}),
      ...(multi
        ? { multiValueHeaders: Object.fromEntries(Object.entries(result.headers).map(([n, v]) => [n, [v]])) }
        : { headers: result.headers }),
      body: result.body,
      isBase64Encoded: false,
    };
  };
}

/** The URL as the client addressed it; REST and ALB query strings are rebuilt from their parameters. */
function eventUrl(event: LambdaHttpEvent, headers: Headers): string {
  const host = headers.get("host") ?? event.requestContext?.domainName ?? "localhost";
  const path = event.rawPath ?? event.requestContext?.path ?? event.path ?? "/";
  // REST decodes query values; ALB passes them as sent.
  const encode = event.requestContext?.elb ? (value: string) => value : encodeURIComponent;
  const query =
    event.rawQueryString ??
    Object.entries(event.multiValueQueryStringParameters ?? {})
      .flatMap(([name, values]) => (values ?? []).map((value) => `${encode(name)}=${encode(value)}`))
      .concat(
        event.multiValueQueryStringParameters
          ? []
          : Object.entries(event.queryStringParameters ?? {}).map(
              ([n, v]) => `${encode(n)}=${encode(v ?? "")}`,
            ),
      )
      .join("&");
  return `${headers.get("x-forwarded-proto") ?? "https"}://${host}${path}${query ? `?${query}` : ""}`;
}
