import { STATUS_CODES } from "node:http";
import { createReceiver, type Receiver, schemes } from "@hookgate/core";
import { createLambdaHandler, type LambdaHttpEvent, type LambdaHttpResult } from "@hookgate/lambda";
import type {
  ALBEvent,
  ALBResult,
  APIGatewayProxyEvent,
  APIGatewayProxyEventV2,
  APIGatewayProxyResult,
  APIGatewayProxyStructuredResultV2,
  LambdaFunctionURLEvent,
} from "aws-lambda";
import { describe, expect, it } from "vitest";
import { type AdapterUnderTest, adapterScenarios, type StartedApp, stripeEvent } from "./scenarios.js";

/** A request as the harness hands it to Lambda: what API Gateway, a Function URL or an ALB received. */
interface Received {
  method: string;
  url: URL;
  headers: Headers;
  body: Uint8Array;
}

/** One way AWS turns an HTTP request into a Lambda event, per its documented event shapes. */
interface Shape {
  name: string;
  /** The URL a client posts to. */
  url: string;
  toEvent(received: Received): LambdaHttpEvent;
  /** What the shape's own result type must accept. */
  check(result: LambdaHttpResult): void;
}

const sourceIp = "127.0.0.1";

function bodyOf(bytes: Uint8Array, base64: boolean): { body: string | null; isBase64Encoded: boolean } {
  if (bytes.byteLength === 0) return { body: null, isBase64Encoded: false };
  const buffer = Buffer.from(bytes);
  return base64
    ? { body: buffer.toString("base64"), isBase64Encoded: true }
    : { body: buffer.toString("utf8"), isBase64Encoded: false };
}

function lastValues(headers: Headers): Record<string, string> {
  return Object.fromEntries(headers);
}

function multiValues(headers: Headers): Record<string, string[]> {
  const values: Record<string, string[]> = {};
  for (const [name, value] of headers) values[name] = value.split(", ");
  return values;
}

function queryValues(url: URL, decode: boolean): Record<string, string[]> | null {
  if (!url.search) return null;
  const values: Record<string, string[]> = {};
  for (const pair of url.search.slice(1).split("&")) {
    const [name = "", value = ""] = pair.split("=");
    const key = decode ? decodeURIComponent(name) : name;
    (values[key] ??= []).push(decode ? decodeURIComponent(value.replaceAll("+", " ")) : value);
  }
  return values;
}

function single(values: Record<string, string[]> | null): Record<string, string> | null {
  return values && Object.fromEntries(Object.entries(values).map(([name, list]) => [name, list.at(-1)!]));
}

/** API Gateway REST API (payload 1.0), stage "prod", resource /webhooks/{provider}. */
function restApi(base64: boolean): Shape {
  return {
    name: `API Gateway REST (v1)${base64 ? ", binary media type */*" : ""}`,
    url: "https://abc123.execute-api.us-east-1.amazonaws.com/prod/webhooks/stripe?attempt=1&tag=a%20b",
    toEvent({ method, url, headers, body }) {
      const path = url.pathname.replace(/^\/prod/, "");
      const query = queryValues(url, true);
      // Header names as the client sent them (REST does not lower-case them).
      const sent = new Headers(headers);
      sent.set("x-forwarded-proto", "https");
      const event: APIGatewayProxyEvent = {
        resource: "/webhooks/{provider}",
        path,
        httpMethod: method,
        headers: { ...lastValues(sent), Host: url.host },
        multiValueHeaders: { ...multiValues(sent), Host: [url.host] },
        queryStringParameters: single(query),
        multiValueQueryStringParameters: query,
        pathParameters: { provider: "stripe" },
        stageVariables: null,
        requestContext: {
          accountId: "123456789012",
          apiId: "abc123",
          authorizer: null,
          domainName: url.host,
          httpMethod: method,
          path: url.pathname,
          protocol: "HTTP/1.1",
          requestId: crypto.randomUUID(),
          requestTimeEpoch: Date.now(),
          resourceId: "res1",
          resourcePath: "/webhooks/{provider}",
          stage: "prod",
          identity: {
            sourceIp,
            accessKey: null,
            accountId: null,
            apiKey: null,
            apiKeyId: null,
            caller: null,
            clientCert: null,
            cognitoAuthenticationProvider: null,
            cognitoAuthenticationType: null,
            cognitoIdentityId: null,
            cognitoIdentityPoolId: null,
            principalOrgId: null,
            user: null,
            userAgent: headers.get("user-agent"),
            userArn: null,
          },
        },
        ...bodyOf(body, base64),
      };
      return event;
    },
    check(result) {
      const typed: APIGatewayProxyResult = result;
      expect(typed.multiValueHeaders).toBeDefined();
      expect(result.headers).toBeUndefined();
      expect(result.statusDescription).toBeUndefined();
    },
  };
}

/** API Gateway HTTP API (payload 2.0) or a Function URL (the same payload). */
function payloadV2(kind: "http" | "url", base64: boolean): Shape {
  const host =
    kind === "http" ? "abc123.execute-api.eu-west-1.amazonaws.com" : "abcdefg.lambda-url.eu-west-1.on.aws";
  return {
    name: kind === "http" ? `API Gateway HTTP (v2)${base64 ? ", base64 body" : ""}` : "Lambda Function URL",
    url: `https://${host}/webhooks/stripe?attempt=1&tag=a%20b`,
    toEvent({ method, url, headers, body }) {
      const joined: Record<string, string> = { ...lastValues(headers), host, "x-forwarded-proto": "https" };
      const context = {
        accountId: "123456789012",
        apiId: "abc123",
        domainName: host,
        domainPrefix: host.split(".")[0]!,
        http: { method, path: url.pathname, protocol: "HTTP/1.1", sourceIp, userAgent: "test" },
        requestId: crypto.randomUUID(),
        routeKey: kind === "http" ? "POST /webhooks/{provider}" : "$default",
        stage: "$default",
        time: new Date().toUTCString(),
        timeEpoch: Date.now(),
      };
      const shared = {
        version: "2.0",
        routeKey: context.routeKey,
        rawPath: url.pathname,
        rawQueryString: url.search.slice(1),
        cookies: ["session=abc", "theme=dark"],
        headers: joined,
        ...(url.search ? { queryStringParameters: single(queryValues(url, true))! } : {}),
        isBase64Encoded: base64,
        ...(body.byteLength ? { body: bodyOf(body, base64).body! } : {}),
      };
      if (kind === "url") {
        const event: LambdaFunctionURLEvent = { ...shared, requestContext: context };
        return event;
      }
      const event: APIGatewayProxyEventV2 = {
        ...shared,
        pathParameters: { provider: "stripe" },
        requestContext: context,
      };
      return event;
    },
    check(result) {
      const typed: APIGatewayProxyStructuredResultV2 = result;
      expect(typed.headers).toBeDefined();
      expect(result.multiValueHeaders).toBeUndefined();
    },
  };
}

/** An Application Load Balancer target group, with or without multi-value headers. */
function alb(multi: boolean): Shape {
  return {
    name: `ALB${multi ? ", multi-value headers on" : ""}`,
    url: "http://internal-hooks-123.us-east-1.elb.amazonaws.com/webhooks/stripe?attempt=1&tag=a%20b",
    toEvent({ method, url, headers, body }) {
      const received = new Headers(headers);
      received.set("host", url.host);
      received.set("x-forwarded-for", sourceIp);
      received.set("x-forwarded-proto", "http");
      const query = queryValues(url, false); // ALB passes query values as sent, undecoded
      const event: ALBEvent = {
        requestContext: {
          elb: { targetGroupArn: "arn:aws:elasticloadbalancing:us-east-1:123:targetgroup/h/1" },
        },
        httpMethod: method,
        path: url.pathname,
        ...(multi
          ? { multiValueHeaders: multiValues(received), multiValueQueryStringParameters: query ?? {} }
          : { headers: lastValues(received), queryStringParameters: single(query) ?? {} }),
        body: bodyOf(body, true).body ?? "",
        isBase64Encoded: true, // ALB base64-encodes every body it forwards as binary
      };
      return event;
    },
    check(result) {
      const typed: ALBResult = result;
      expect(typed.statusDescription).toBe(`${result.statusCode} ${STATUS_CODES[result.statusCode]}`);
      if (multi) expect(result.headers).toBeUndefined();
      else expect(result.multiValueHeaders).toBeUndefined();
    },
  };
}

/** What @middy/http-json-body-parser does before the handler: `event.body` becomes the parsed value. */
function parseFirst(event: LambdaHttpEvent): LambdaHttpEvent {
  const text = event.isBase64Encoded ? Buffer.from(event.body!, "base64").toString("utf8") : event.body!;
  return { ...event, body: JSON.parse(text) as string };
}

function lambdaAdapter(shape: Shape): AdapterUnderTest {
  return {
    name: `Lambda, ${shape.name}: createLambdaHandler(receiver)`,
    bodyParser: "@middy/http-json-body-parser",
    clientIp: true,
    async start(receiver: Receiver, options) {
      const handler = createLambdaHandler(
        receiver,
        options.publicUrl ? { publicUrl: options.publicUrl } : {},
      );
      const invoke = async (request: Request): Promise<Response> => {
        const received: Received = {
          method: request.method,
          url: new URL(request.url),
          headers: request.headers,
          body: new Uint8Array(await request.arrayBuffer()),
        };
        const event = shape.toEvent(received);
        const result = await handler(options.bodyParserFirst ? parseFirst(event) : event);
        shape.check(result);
        const headers = new Headers(result.headers);
        for (const [name, values] of Object.entries(result.multiValueHeaders ?? {}))
          for (const value of values) headers.append(name, value);
        return new Response(result.body, { status: result.statusCode, headers });
      };
      const app: StartedApp = {
        url: shape.url,
        fetch: invoke,
        async post(headers, body) {
          const response = await invoke(new Request(shape.url, { method: "POST", headers, body }));
          return { status: response.status, headers: response.headers, text: await response.text() };
        },
        close: async () => {},
      };
      return app;
    },
  };
}

const shapes = [
  restApi(false),
  restApi(true),
  payloadV2("http", false),
  payloadV2("http", true),
  payloadV2("url", true),
  alb(false),
  alb(true),
];
for (const shape of shapes) adapterScenarios(lambdaAdapter(shape));

describe("Lambda specifics", () => {
  const scheme = schemes.stripe({ secret: "whsec_lambda_specifics" });

  it("passes path parameters, the cookie list and repeated headers to the receiver", async () => {
    const seen: Array<Parameters<Receiver["handle"]>[0]> = [];
    const receiver = createReceiver({ scheme });
    const handler = createLambdaHandler({
      handle: (input) => {
        seen.push(input);
        return receiver.handle(input);
      },
    });
    const { body } = stripeEvent();
    const event = payloadV2("http", false).toEvent({
      method: "POST",
      url: new URL("https://abc123.execute-api.eu-west-1.amazonaws.com/webhooks/stripe"),
      headers: new Headers(await scheme.sign({ rawBody: body })),
      body: Buffer.from(body),
    });
    expect((await handler(event)).statusCode).toBe(200);
    expect(seen[0]?.params).toEqual({ provider: "stripe" });
    expect((seen[0]!.headers as Headers).get("cookie")).toBe("session=abc; theme=dark");

    const rest = restApi(false).toEvent({
      method: "POST",
      url: new URL("https://abc123.execute-api.us-east-1.amazonaws.com/prod/webhooks/stripe"),
      headers: new Headers({ ...(await scheme.sign({ rawBody: body })), "x-tag": "a" }),
      body: Buffer.from(body),
    });
    await handler({ ...rest, multiValueHeaders: { ...rest.multiValueHeaders, "x-tag": ["a", "b"] } });
    expect((seen[1]!.headers as Headers).get("x-tag")).toBe("a, b");
  });

  it("decodes a base64 body exactly: bytes that are not UTF-8 pass verification as sent", async () => {
    const receiver = createReceiver({ scheme });
    const { body } = stripeEvent({ note: "@@" });
    const [before, after] = body.split("@@") as [string, string];
    const bytes = Buffer.concat([Buffer.from(before), Buffer.from([0xff, 0xfe, 0x80]), Buffer.from(after)]);
    const event = payloadV2("url", true).toEvent({
      method: "POST",
      url: new URL("https://abcdefg.lambda-url.eu-west-1.on.aws/"),
      headers: new Headers(await scheme.sign({ rawBody: bytes })),
      body: bytes,
    });
    const result = await createLambdaHandler(receiver)(event);
    // Verified, then refused as a payload: Stripe events are UTF-8 JSON.
    expect(result.statusCode).toBe(400);
    expect(JSON.parse(result.body).error.code).toBe("invalid_payload");
    // The same bytes passed on as text lose the invalid sequence and no longer verify.
    const asText = await createLambdaHandler(receiver)({
      ...event,
      isBase64Encoded: false,
      body: bytes.toString("utf8"),
    });
    expect(asText.statusCode).toBe(401);
    expect(JSON.parse(asText.body).error.code).toBe("signature_mismatch");
  });

  for (const shape of [restApi(false), payloadV2("http", false), alb(true)])
    it(`${shape.name}: answers a delivery still running with 409 in_flight and its Retry-After, a failed handler with 500`, async () => {
      let release = () => {};
      const running = new Promise<void>((resolve) => (release = resolve));
      const receiver = createReceiver({ scheme });
      receiver.onAny(async (event) => {
        if ((event.payload as { fail?: boolean }).fail) throw new Error("downstream refused");
        await running;
      });
      const handler = createLambdaHandler(receiver);
      const invoke = async (body: string) =>
        handler(
          shape.toEvent({
            method: "POST",
            url: new URL(shape.url),
            headers: new Headers(await scheme.sign({ rawBody: body })),
            body: Buffer.from(body),
          }),
        );
      const { body } = stripeEvent();
      const first = invoke(body);
      const second = await invoke(body);
      release();
      expect((await first).statusCode).toBe(200);
      expect(second.statusCode).toBe(409);
      expect(JSON.parse(second.body).error.code).toBe("in_flight");
      const retryAfter = second.headers?.["retry-after"] ?? second.multiValueHeaders?.["retry-after"]?.[0];
      expect(Number(retryAfter)).toBeGreaterThan(0);
      shape.check(second);

      const failed = await invoke(stripeEvent({ fail: true }).body);
      expect(failed.statusCode).toBe(500);
      expect(JSON.parse(failed.body).error.code).toBe("handler_failed");
      expect(failed.body).not.toContain("downstream refused");
    });
});
