/**
 * The HTTP events Lambda receives: API Gateway REST (payload 1.0), API Gateway HTTP and Function
 * URLs (payload 2.0) and Application Load Balancer — the fields hookgate reads, so that the
 * `@types/aws-lambda` events (`APIGatewayProxyEvent`, `APIGatewayProxyEventV2`,
 * `LambdaFunctionURLEvent`, `ALBEvent`) are all assignable to it.
 */
export interface LambdaHttpEvent {
  /** "2.0" for HTTP APIs and Function URLs. */
  version?: string | undefined;
  /** REST and ALB. */
  httpMethod?: string | undefined;
  /** REST and ALB: the path without a REST stage. */
  path?: string | undefined;
  /** 2.0: the path as requested. */
  rawPath?: string | undefined;
  /** 2.0: the query string as requested. */
  rawQueryString?: string | undefined;
  /** 2.0: the Cookie header, split. */
  cookies?: readonly string[] | undefined;
  headers?: Readonly<Record<string, string | undefined>> | null | undefined;
  /** REST, and ALB with multi-value headers on. */
  multiValueHeaders?: Readonly<Record<string, readonly string[] | undefined>> | null | undefined;
  /** REST (decoded) and ALB (as sent). */
  queryStringParameters?: Readonly<Record<string, string | undefined>> | null | undefined;
  multiValueQueryStringParameters?:
    | Readonly<Record<string, readonly string[] | undefined>>
    | null
    | undefined;
  pathParameters?: Readonly<Record<string, string | undefined>> | null | undefined;
  body?: string | null | undefined;
  isBase64Encoded?: boolean | undefined;
  requestContext?:
    | {
        /** REST and 2.0. */
        domainName?: string | undefined;
        /** REST: the path with its stage, as requested. */
        path?: string | undefined;
        /** 2.0. */
        http?: { method: string; sourceIp: string } | undefined;
        /** REST. */
        identity?: { sourceIp: string } | undefined;
        /** ALB. */
        elb?: unknown;
      }
    | undefined;
}

/** The answer, in the shape of the event that asked: assignable to each event's result type. */
export interface LambdaHttpResult {
  statusCode: number;
  /** ALB only: "200 OK". */
  statusDescription?: string;
  /** When the request had no `multiValueHeaders`. */
  headers?: Record<string, string>;
  /** When the request had `multiValueHeaders` (REST, ALB with multi-value headers on). */
  multiValueHeaders?: Record<string, string[]>;
  body: string;
  isBase64Encoded: boolean;
}
