/**
 * A local fake of the AWS APIs, for running collectors end to end with real SDK clients
 * (endpoint pointed here): unlike aws-sdk-client-mock it goes through the SDK's
 * serializers, signing, retry and error parsing, so retries and error names are real.
 *
 * It serves answers written in SDK shapes (aws-answers.ts), the same ones the unit tests
 * give the stubs, and writes them in each service's wire protocol from the SDK's own
 * schemas (aws-wire.ts). A request's service and region are read from its SigV4
 * credential scope (`Credential=AKID/20260101/us-east-1/ec2/aws4_request`), its account
 * from the access key (`accounts`). Faults (`fail`) make matching calls fail: throttling,
 * 5xx, access denied.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { AwsProviderOptions } from "../../src/providers/aws/provider.ts";
import { type AnyAnswer, AwsErrorAnswer } from "./aws-answers.ts";
import {
  operationOf,
  readRequest,
  serviceOf,
  type WireAnswer,
  type WireOperation,
  writeAnswer,
  writeError,
} from "./aws-wire.ts";

/** An error the fake answers instead of the served answer. */
export interface FakeFault {
  /** The service key (`ec2`, `elbv2`, `sts`, as in SERVICES). */
  readonly service: string;
  /** The operation (`DescribeVpcs`, or a pattern); every operation of the service when absent. */
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

/** One call the fake received. */
export interface FakeCall {
  /** The service key (`ec2`, `elbv2`, `sts`). */
  readonly service: string;
  readonly region: string;
  readonly accountId: string;
  /** The operation called (`DescribeInstances`), or `METHOD /path` when it was not served. */
  readonly operation: string;
  /** The input in SDK shape, read back from the request. */
  readonly input: Readonly<Record<string, unknown>>;
}

function matches(operation: string, pattern: string | RegExp): boolean {
  return typeof pattern === "string" ? pattern === operation : pattern.test(operation);
}

interface Served {
  readonly operation: WireOperation;
  readonly answer: AnyAnswer;
}

/** The fake AWS endpoint. Start with `FakeAws.start()`, point clients at `.url`. */
export class FakeAws {
  /** The answers served, latest first. */
  readonly #served: Served[] = [];
  readonly #faults: Array<FakeFault & { left: number }> = [];
  readonly #calls: FakeCall[] = [];
  /** Milliseconds every call waits before it is answered (latency of a real API). */
  delayMs = 0;
  /** The account of an access key id; `123456789012` unless mapped. */
  readonly accounts = new Map<string, string>();
  /**
   * Keep each request's reading and answer, and give the same answer to the same request
   * again: for an estate that no longer changes (bench 4), so that building answers (XML
   * of a thousand instances) does not take CPU from the scan being measured.
   */
  cacheAnswers = false;
  readonly #cache = new Map<
    string,
    { read: Awaited<ReturnType<typeof readRequest>>; answer?: WireAnswer }
  >();

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
   * Serves answers. An answer served later takes precedence over an earlier one of the
   * same operation and region.
   */
  serve(...answers: readonly AnyAnswer[]): this {
    for (const answer of answers) {
      this.#served.unshift({ operation: operationOf(answer.command), answer });
    }
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
    const scope = /Credential=([^/]+)\/\d+\/([^/]+)\/([^/]+)\/aws4_request/.exec(
      String(req.headers.authorization ?? ""),
    );
    const accessKey = scope?.[1] ?? "";
    const region = scope?.[2] ?? "";
    const url = new URL(req.url ?? "/", "http://fake");
    const request = {
      signingName: scope?.[3] ?? "",
      method: req.method ?? "GET",
      path: url.pathname,
      query: url.searchParams,
      target: String(req.headers["x-amz-target"] ?? ""),
      body: Buffer.concat(chunks).toString("utf8"),
    };
    const service = serviceOf(request);
    if (service === undefined) {
      reply(res, { status: 400, headers: {}, body: `no service signs as ${request.signingName}` });
      return;
    }
    const key = this.cacheAnswers
      ? `${service.key} ${region} ${accessKey} ${request.method} ${req.url} ${request.target} ${request.body}`
      : undefined;
    const cached = key === undefined ? undefined : this.#cache.get(key);
    const read =
      cached?.read ??
      (await readRequest(request, service, [
        ...new Set(this.#served.map((s) => s.operation).filter((o) => o.service === service)),
      ]));
    const { operation, name, input } = read;
    const accountId = this.accounts.get(accessKey) ?? "123456789012";
    this.#calls.push({ service: service.key, region, accountId, operation: name, input });
    if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs));

    const fault = this.#faults.find(
      (f) =>
        f.left > 0 &&
        f.service === service.key &&
        (f.operation === undefined || matches(name, f.operation)) &&
        (f.region === undefined || f.region === region) &&
        (f.accountId === undefined || f.accountId === accountId),
    );
    if (fault !== undefined) {
      fault.left -= 1;
      reply(
        res,
        writeError(service, fault.status, fault.code, `${fault.code} injected by the fake`),
      );
      return;
    }
    const served = this.#served.find(
      (s) =>
        s.operation === operation && (s.answer.region === undefined || s.answer.region === region),
    );
    if (operation === undefined || served === undefined) {
      const what = `${service.key} ${name} in ${region}`;
      reply(res, writeError(service, 400, "InvalidAction", `the fake serves no ${what}`));
      return;
    }
    if (cached?.answer !== undefined) {
      reply(res, cached.answer);
      return;
    }
    const output = served.answer.respond(input as never);
    const answer =
      output instanceof AwsErrorAnswer
        ? writeError(service, output.status, output.code, `${output.code} answered by the fake`)
        : writeAnswer(operation, output);
    if (key !== undefined) this.#cache.set(key, { read, answer });
    reply(res, answer);
  }
}

function reply(res: ServerResponse, answer: WireAnswer): void {
  res.statusCode = answer.status;
  for (const [k, v] of Object.entries(answer.headers)) res.setHeader(k, v);
  res.end(answer.body);
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
