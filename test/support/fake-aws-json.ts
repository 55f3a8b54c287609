/**
 * The AWS JSON protocol (awsJson1_0 and awsJson1_1: Organizations, ECS, SQS, CloudWatch
 * Logs, ...) for the fake endpoint. A request is `POST /` with
 * `X-Amz-Target: <ServicePrefix>.<Operation>` and a JSON body; an answer is a JSON object,
 * an error `{"__type": "<Code>", "message": "..."}` with the code in `x-amzn-errortype`
 * too. The protocol is told by the header alone, so a JSON service needs no registration:
 * script its answers as JSON-ready objects, page tokens included as for query services
 * (`fake.pages("organizations", "ListAccounts", pages)`, `NextToken` in and out).
 */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from "node:http";

/** A JSON-protocol request: the operation and the body's top-level members. */
export interface JsonRequest {
  readonly operation: string;
  /** Top-level members of the body, strings as they are, anything else as JSON text. */
  readonly params: Readonly<Record<string, string>>;
}

/** Whether a request speaks the JSON protocol. */
export function isJsonRequest(req: IncomingMessage): boolean {
  const target = req.headers["x-amz-target"];
  return typeof target === "string" && target !== "";
}

/** The request, when it speaks the JSON protocol; undefined for query and REST requests. */
export function jsonRequest(headers: IncomingHttpHeaders, body: string): JsonRequest | undefined {
  const target = headers["x-amz-target"];
  if (typeof target !== "string" || target === "") return undefined;
  const parsed: unknown = body === "" ? {} : JSON.parse(body);
  const params: Record<string, string> = {};
  if (typeof parsed === "object" && parsed !== null) {
    for (const [k, v] of Object.entries(parsed)) {
      params[k] = typeof v === "string" ? v : JSON.stringify(v);
    }
  }
  return { operation: target.slice(target.lastIndexOf(".") + 1), params };
}

/** Writes a JSON-protocol answer. */
export function writeJson(res: ServerResponse, body: unknown): void {
  res.statusCode = 200;
  res.setHeader("content-type", "application/x-amz-json-1.1");
  res.end(JSON.stringify(body ?? {}));
}

/** Writes a JSON-protocol error. */
export function writeJsonError(
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
): void {
  res.statusCode = status;
  res.setHeader("content-type", "application/x-amz-json-1.1");
  res.setHeader("x-amzn-errortype", code);
  res.end(JSON.stringify({ __type: code, message }));
}
