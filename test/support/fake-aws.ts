/**
 * A local fake of the AWS APIs, for running collectors end to end with real SDK clients
 * (endpoint pointed here): unlike aws-sdk-client-mock it goes through the SDK's
 * serializers, signing, retry and error parsing, so retries and error names are real.
 *
 * A request's service and region are read from its SigV4 credential scope
 * (`Credential=AKID/20260101/us-east-1/ec2/aws4_request`); the account from the access key
 * (`accountOf`). Query-protocol services (ec2, sts, iam, rds, autoscaling,
 * elasticloadbalancing) name the operation in the form body's `Action`; their responses are
 * scripted as plain objects in wire shape (EC2 lower-camel element names and `xxxSet`
 * lists; awsQuery upper-camel and `member` lists) and serialized to XML here. REST
 * services (eks, s3) name the operation `GET /clusters` (method and path); their
 * responses are scripted as raw bodies.
 *
 * Paging is by index: page i of a scripted list carries the token `page-<i+1>` (in the
 * element named by `tokenOut`), and a request whose `tokenIn` parameter is `page-<n>` gets
 * page n, so concurrent partitions never consume each other's pages.
 *
 * Calls that differ only by parameters or path (a target group's health, a role's tags,
 * `GET /clusters/<name>`, a bucket's `?tagging`) are answered by `answer`: a function of
 * the call, matched by operation name or pattern. S3 sub-resources are part of the
 * operation (`GET /my-bucket/?tagging`), since they, not the path, name S3's operation.
 * Lists whose members the SDK reads under a name of their own (RDS `<DBInstance>`, not
 * `<member>`) are scripted with `listOf`.
 *
 * JSON-protocol services (Organizations, ECS, SQS, ...) are told by their `X-Amz-Target`
 * header (test/support/fake-aws-json.ts) and scripted like query services, as objects
 * whose pages carry the `tokenOut` token.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { AwsProviderOptions } from "../../src/providers/aws/provider.ts";
import { isJsonRequest, jsonRequest, writeJson, writeJsonError } from "./fake-aws-json.ts";

/** A value of a scripted query-protocol response. */
export type WireValue =
  | string
  | number
  | boolean
  | Date
  | WireObject
  | WireList
  | readonly WireValue[];
/** An element with children. */
export interface WireObject {
  readonly [key: string]: WireValue | undefined;
}

/** A list serialized with its own member element name (`<DBInstance>`) instead of `member`/`item`. */
export class WireList {
  constructor(
    readonly item: string,
    readonly values: readonly WireValue[],
  ) {}
}

/** A list whose members are `<item>` elements, e.g. `listOf("DBInstance", [...])`. */
export function listOf(item: string, values: readonly WireValue[]): WireList {
  return new WireList(item, values);
}

/** An error answer of an `answer` function: `new FakeErrorAnswer(404, "NoSuchTagSet")`. */
export class FakeErrorAnswer {
  constructor(
    readonly status: number,
    readonly code: string,
  ) {}
}

/**
 * The answer of a call by a function: a wire object (query services), a raw body or JSON
 * value (REST), or a FakeErrorAnswer.
 */
export type FakeAnswer = (call: FakeCall) => unknown;

/** An error the fake answers instead of the scripted response. */
export interface FakeFault {
  readonly service: string;
  /** The operation (`DescribeVpcs`, `GET /clusters`, or a pattern); every operation of the service when absent. */
  readonly operation?: string | RegExp;
  /** Only in this region. */
  readonly region?: string;
  /** Only for this account. */
  readonly accountId?: string;
  /** The error code (`RequestLimitExceeded`, `UnauthorizedOperation`, `InternalError`). */
  readonly code: string;
  /** HTTP status; 400 for client errors, 503 for EC2 throttling, 500 for InternalError. */
  readonly status: number;
  /** How many matching calls fail before it stops; forever when absent. */
  readonly times?: number;
}

interface Script {
  readonly pages: readonly unknown[];
  readonly tokenIn: string;
  readonly tokenOut: string;
  readonly region?: string | undefined;
}

interface Answerer {
  readonly operation: string | RegExp;
  readonly answer: FakeAnswer;
  readonly region?: string | undefined;
}

function matches(operation: string, pattern: string | RegExp): boolean {
  return typeof pattern === "string" ? pattern === operation : pattern.test(operation);
}

/** One call the fake received. */
export interface FakeCall {
  readonly service: string;
  readonly region: string;
  readonly accountId: string;
  readonly operation: string;
  readonly params: Readonly<Record<string, string>>;
}

const QUERY_SERVICES = new Set(["ec2", "sts", "iam", "rds", "autoscaling", "elasticloadbalancing"]);

function escapeXml(s: string): string {
  return s.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Serializes a wire object to XML, lists as `<key><item|member>..</..></key>`. */
export function toXml(value: WireValue, listItem: string): string {
  if (value instanceof Date) return value.toISOString();
  if (value instanceof WireList) {
    return value.values.map((v) => `<${value.item}>${toXml(v, listItem)}</${value.item}>`).join("");
  }
  if (Array.isArray(value)) {
    return value.map((v: WireValue) => `<${listItem}>${toXml(v, listItem)}</${listItem}>`).join("");
  }
  if (typeof value === "object") {
    return Object.entries(value as WireObject)
      .filter((e): e is [string, WireValue] => e[1] !== undefined)
      .map(([k, v]) => `<${k}>${toXml(v, listItem)}</${k}>`)
      .join("");
  }
  return escapeXml(String(value));
}

/** The fake AWS endpoint. Start with `FakeAws.start()`, point clients at `.url`. */
export class FakeAws {
  readonly #scripts = new Map<string, Script[]>();
  readonly #answerers = new Map<string, Answerer[]>();
  readonly #faults: Array<FakeFault & { left: number }> = [];
  readonly #calls: FakeCall[] = [];
  /** Milliseconds every call waits before it is answered (latency of a real API). */
  delayMs = 0;
  /** The account of an access key id; `123456789012` unless mapped. */
  readonly accounts = new Map<string, string>();

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<FakeAws> {
    let fake: FakeAws | undefined;
    const server = createServer((req, res) => {
      if (fake === undefined) return;
      fake.#handle(req, res).catch((err: unknown) => {
        res.statusCode = 500;
        res.end(String(err));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    fake = new FakeAws(server, `http://127.0.0.1:${port}`);
    return fake;
  }

  /**
   * Scripts the pages of an operation (query services: wire objects; REST: raw bodies).
   * The first page is also the answer of an operation that does not page.
   */
  pages(
    service: string,
    operation: string,
    pages: readonly unknown[],
    options: { tokenIn?: string; tokenOut?: string; region?: string } = {},
  ): this {
    const key = `${service} ${operation}`;
    const list = this.#scripts.get(key) ?? [];
    list.unshift({
      pages,
      tokenIn: options.tokenIn ?? "NextToken",
      tokenOut: options.tokenOut ?? (service === "ec2" ? "nextToken" : "NextToken"),
      region: options.region,
    });
    this.#scripts.set(key, list);
    return this;
  }

  /** Scripts a single answer. */
  respond(service: string, operation: string, body: unknown, region?: string): this {
    return this.pages(service, operation, [body], region === undefined ? {} : { region });
  }

  /**
   * Answers calls of an operation (or of operations matching a pattern, e.g.
   * `/^GET \/clusters\/[^/]+$/`) from a function of the call. Scripted pages of the same
   * operation take precedence; among answers, the latest matching one is used.
   */
  answer(
    service: string,
    operation: string | RegExp,
    answer: FakeAnswer,
    options: { region?: string } = {},
  ): this {
    const list = this.#answerers.get(service) ?? [];
    list.unshift({ operation, answer, region: options.region });
    this.#answerers.set(service, list);
    return this;
  }

  /** Makes matching calls fail (throttling, 5xx, access denied, opt-in required). */
  fail(fault: FakeFault): this {
    this.#faults.push({ ...fault, left: fault.times ?? Number.POSITIVE_INFINITY });
    return this;
  }

  /** The calls received, optionally of one service and operation. */
  calls(service?: string, operation?: string): FakeCall[] {
    return this.#calls.filter(
      (c) =>
        (service === undefined || c.service === service) &&
        (operation === undefined || c.operation === operation),
    );
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString("utf8");
    const scope = /Credential=([^/]+)\/\d+\/([^/]+)\/([^/]+)\/aws4_request/.exec(
      String(req.headers.authorization ?? ""),
    );
    const accessKey = scope?.[1] ?? "";
    const region = scope?.[2] ?? "";
    const service = scope?.[3] ?? "";
    const url = new URL(req.url ?? "/", "http://fake");
    const json = jsonRequest(req.headers, body);
    const query = json === undefined && QUERY_SERVICES.has(service);
    const params: Record<string, string> =
      json?.params ?? Object.fromEntries(query ? new URLSearchParams(body) : url.searchParams);
    // S3 names its operation by a value-less sub-resource parameter (`?tagging`).
    const subresource =
      service === "s3" ? [...url.searchParams].find(([, v]) => v === "")?.[0] : undefined;
    const operation =
      json?.operation ??
      (query
        ? (params.Action ?? "")
        : `${req.method} ${url.pathname}${subresource === undefined ? "" : `?${subresource}`}`);
    const accountId = this.accounts.get(accessKey) ?? "123456789012";
    const call: FakeCall = { service, region, accountId, operation, params };
    this.#calls.push(call);
    if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs));

    const fault = this.#faults.find(
      (f) =>
        f.left > 0 &&
        f.service === service &&
        (f.operation === undefined || matches(operation, f.operation)) &&
        (f.region === undefined || f.region === region) &&
        (f.accountId === undefined || f.accountId === accountId),
    );
    if (fault !== undefined) {
      fault.left -= 1;
      this.#error(res, service, fault.status, fault.code, `${fault.code} injected by the fake`);
      return;
    }
    const script = (this.#scripts.get(`${service} ${operation}`) ?? []).find(
      (s) => s.region === undefined || s.region === region,
    );
    if (script === undefined) {
      const answerer = (this.#answerers.get(service) ?? []).find(
        (a) => matches(operation, a.operation) && (a.region === undefined || a.region === region),
      );
      if (answerer !== undefined) {
        this.#reply(res, service, operation, answerer.answer(call));
        return;
      }
      this.#error(
        res,
        service,
        400,
        "InvalidAction",
        `the fake has no script for ${service} ${operation}`,
      );
      return;
    }
    const token = params[script.tokenIn];
    const index = token?.startsWith("page-") ? Number(token.slice(5)) : 0;
    const page = script.pages[index];
    const more = index + 1 < script.pages.length;
    if (!query && json === undefined) {
      this.#reply(res, service, operation, page);
      return;
    }
    this.#reply(res, service, operation, {
      ...((page ?? {}) as WireObject),
      ...(more ? { [script.tokenOut]: `page-${index + 1}` } : {}),
    });
  }

  /** Writes one answer in the service's protocol. */
  #reply(res: ServerResponse, service: string, operation: string, body: unknown): void {
    if (body instanceof FakeErrorAnswer) {
      this.#error(res, service, body.status, body.code, `${body.code} answered by the fake`);
      return;
    }
    if (isJsonRequest(res.req)) {
      writeJson(res, body);
      return;
    }
    if (!QUERY_SERVICES.has(service)) {
      res.statusCode = 200;
      res.setHeader("content-type", service === "s3" ? "application/xml" : "application/json");
      res.end(typeof body === "string" ? body : JSON.stringify(body ?? {}));
      return;
    }
    const content = (body ?? {}) as WireObject;
    res.statusCode = 200;
    res.setHeader("content-type", "text/xml");
    if (service === "ec2") {
      res.end(
        `<?xml version="1.0" encoding="UTF-8"?><${operation}Response xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>fake</requestId>${toXml(content, "item")}</${operation}Response>`,
      );
    } else {
      res.end(
        `<${operation}Response><${operation}Result>${toXml(content, "member")}</${operation}Result><ResponseMetadata><RequestId>fake</RequestId></ResponseMetadata></${operation}Response>`,
      );
    }
  }

  #error(
    res: ServerResponse,
    service: string,
    status: number,
    code: string,
    message: string,
  ): void {
    if (isJsonRequest(res.req)) {
      writeJsonError(res, status, code, message);
      return;
    }
    res.statusCode = status;
    if (service === "ec2") {
      res.setHeader("content-type", "text/xml");
      res.end(
        `<Response><Errors><Error><Code>${code}</Code><Message>${escapeXml(message)}</Message></Error></Errors><RequestID>fake</RequestID></Response>`,
      );
    } else if (QUERY_SERVICES.has(service) || service === "s3") {
      res.setHeader("content-type", "text/xml");
      const inner = `<Error><Type>Sender</Type><Code>${code}</Code><Message>${escapeXml(message)}</Message></Error>`;
      res.end(
        service === "s3"
          ? inner
          : `<ErrorResponse>${inner}<RequestId>fake</RequestId></ErrorResponse>`,
      );
    } else {
      res.setHeader("content-type", "application/json");
      res.setHeader("x-amzn-errortype", code);
      res.end(JSON.stringify({ message }));
    }
  }
}

/** Credentials the fake accepts (it maps access key ids to accounts, see `accounts`). */
export const FAKE_CREDENTIALS = { accessKeyId: "AKIDFAKE", secretAccessKey: "fake-secret" };

/**
 * Options of an AWS provider that talks to `fake` with fake credentials from us-east-1,
 * standard retries and no log; `overrides` win.
 */
export function fakeProviderOptions(
  fake: FakeAws,
  overrides: Partial<AwsProviderOptions> = {},
): AwsProviderOptions {
  return {
    endpoint: fake.url,
    credentials: FAKE_CREDENTIALS,
    homeRegion: "us-east-1",
    retryMode: "standard",
    log: () => {},
    ...overrides,
  };
}
