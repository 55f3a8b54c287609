/**
 * The server side of the AWS wire protocols, written from the SDK's own Smithy schemas, so
 * the fake endpoint (fake-aws.ts) is scripted in SDK output shapes, the same objects the
 * unit tests hand to aws-sdk-client-mock, and still makes the real SDK clients parse real
 * HTTP answers.
 *
 * Every SDK v3 command carries its operation schema (`[9, namespace, name, traits, input,
 * output]`: members, `xmlName`, `jsonName`, `ec2QueryName`, `http*` bindings), and every
 * client its protocol. A request is routed to its operation by the signing name of its
 * SigV4 scope and, per protocol, the form's `Action` (query protocols) or the method and
 * path of the operation's `http` trait (REST) or the `X-Amz-Target` header (JSON
 * protocols); its input is read back from the form, the path labels and the query by
 * walking the input schema, or from the JSON body by the client's own codec. An answer is
 * written with the SDK's own serializers: its XML serializer for the query protocols and
 * REST XML, the client's JSON codec for REST JSON and the JSON protocols. The one liberty:
 * S3's GetBucketLocation comes back wrapped like any REST XML output, which the SDK parses
 * as it parses S3's bare element.
 *
 * The services are those of SERVICES plus the framework's own (STS, Organizations); a
 * client of another protocol (rpcv2Cbor) fails loudly until its reader and writer are
 * written here.
 */
import { OrganizationsClient } from "@aws-sdk/client-organizations";
import { STSClient } from "@aws-sdk/client-sts";
import { XmlShapeSerializer } from "@aws-sdk/core/protocols";
import { NormalizedSchema } from "@smithy/core/schema";
import type { $SchemaRef, StaticOperationSchema } from "@smithy/types";
import { AWS_SERVICES, SERVICES } from "../../src/providers/aws/services.ts";

/** The wire protocols the fake speaks, by their Smithy shape id. */
export type WireProtocol =
  | "ec2Query"
  | "awsQuery"
  | "restXml"
  | "restJson1"
  | "awsJson1_0"
  | "awsJson1_1";

const PROTOCOLS: Readonly<Record<string, WireProtocol>> = {
  "aws.protocols#ec2Query": "ec2Query",
  "aws.protocols#awsQuery": "awsQuery",
  "aws.protocols#restXml": "restXml",
  "aws.protocols#restJson1": "restJson1",
  "aws.protocols#awsJson1_0": "awsJson1_0",
  "aws.protocols#awsJson1_1": "awsJson1_1",
};

/** The JSON RPC protocols: the operation in `X-Amz-Target`, input and output JSON bodies. */
function isJsonRpc(protocol: WireProtocol): protocol is "awsJson1_0" | "awsJson1_1" {
  return protocol === "awsJson1_0" || protocol === "awsJson1_1";
}

/** A service as the fake sees it. */
export interface WireService {
  /** Its key in SERVICES, or in FRAMEWORK_CLIENTS (`sts`, `organizations`). */
  readonly key: string;
  /** The SigV4 signing name, which the fake reads from each request's credential scope. */
  readonly signingName: string;
  readonly protocol: WireProtocol;
  /** The Smithy namespace of its shapes, e.g. `com.amazonaws.ec2`. */
  readonly namespace: string;
  /** The API version a query protocol sends as `Version`. */
  readonly version: string;
  readonly xmlNamespace: string | undefined;
  /** The client's payload codec (REST and JSON protocols). */
  readonly codec: PayloadCodec | undefined;
}

interface PayloadCodec {
  createSerializer(): { write(schema: NormalizedSchema, value: unknown): void; flush(): unknown };
  createDeserializer(): { read(schema: NormalizedSchema, data: string): Promise<unknown> };
}

interface ResolvedClient {
  readonly config: {
    readonly protocol: {
      getShapeId(): string;
      getPayloadCodec?(): PayloadCodec;
      readonly options: { defaultNamespace: string; version?: string; xmlNamespace?: string };
    };
    readonly defaultSigningName?: string;
  };
  destroy(): void;
}

/** Clients the framework calls besides the collectors' services. */
const FRAMEWORK_CLIENTS = { organizations: OrganizationsClient, sts: STSClient } as const;

function describeService(key: string, Client: new (config: object) => unknown): WireService {
  const client = new Client({
    region: "us-east-1",
    credentials: { accessKeyId: "x", secretAccessKey: "x" },
  }) as ResolvedClient;
  try {
    const { protocol, defaultSigningName } = client.config;
    const shapeId = protocol.getShapeId();
    const wire = PROTOCOLS[shapeId];
    if (wire === undefined) {
      throw new Error(
        `the fake AWS endpoint does not speak ${shapeId} (the ${key} client's protocol): add its request reader and answer writer to test/support/aws-wire.ts`,
      );
    }
    return {
      key,
      signingName: defaultSigningName ?? key,
      protocol: wire,
      namespace: protocol.options.defaultNamespace,
      version: protocol.options.version ?? "",
      xmlNamespace: protocol.options.xmlNamespace,
      codec: wire === "ec2Query" || wire === "awsQuery" ? undefined : protocol.getPayloadCodec?.(),
    };
  } finally {
    client.destroy();
  }
}

let services: Map<string, WireService> | undefined;

/** Every service the fake knows, by Smithy namespace. */
function servicesByNamespace(): Map<string, WireService> {
  if (services === undefined) {
    const all = [
      ...AWS_SERVICES.map((key) => describeService(key, SERVICES[key].client)),
      ...Object.entries(FRAMEWORK_CLIENTS).map(([key, client]) => describeService(key, client)),
    ];
    services = new Map(all.map((s) => [s.namespace, s]));
  }
  return services;
}

/** An SDK command class, e.g. `DescribeInstancesCommand`, whatever its input. */
export type AnyCommandClass = new (input: never) => object;

/** One SDK operation: its name, service, schemas and (REST) HTTP binding. */
export interface WireOperation {
  /** `DescribeInstances`, `ListClusters`. */
  readonly name: string;
  readonly service: WireService;
  readonly input: $SchemaRef;
  readonly output: $SchemaRef;
  /** REST: the method, the path's segments (`{label}` for labels) and the static query. */
  readonly http?: {
    readonly method: string;
    readonly segments: readonly string[];
    readonly query: Readonly<Record<string, string>>;
  };
}

const OPERATIONS = new WeakMap<object, WireOperation>();

/** The operation of a command class, from the schema its instances carry. */
export function operationOf(command: AnyCommandClass): WireOperation {
  let op = OPERATIONS.get(command);
  if (op !== undefined) return op;
  const schema = (new command({} as never) as { schema?: StaticOperationSchema }).schema;
  if (!Array.isArray(schema) || schema[0] !== 9) {
    throw new Error(
      `${command.name} carries no operation schema: the fake needs SDK clients that ship Smithy schemas`,
    );
  }
  const [, namespace, name, traits, input, output] = schema;
  const service = servicesByNamespace().get(namespace);
  if (service === undefined) {
    throw new Error(
      `${command.name} is of ${namespace}, a service the fake does not know: add its client to SERVICES (or to FRAMEWORK_CLIENTS in test/support/aws-wire.ts)`,
    );
  }
  const httpTrait = typeof traits === "object" ? (traits as { http?: unknown }).http : undefined;
  op = {
    name,
    service,
    input,
    output,
    ...(Array.isArray(httpTrait) ? { http: httpOf(httpTrait) } : {}),
  };
  OPERATIONS.set(command, op);
  return op;
}

function httpOf(trait: readonly unknown[]): NonNullable<WireOperation["http"]> {
  const [method, uri] = trait as [string, string];
  const [path = "", query = ""] = uri.split("?");
  return {
    method,
    segments: path.split("/").filter((s) => s !== ""),
    query: Object.fromEntries(new URLSearchParams(query)),
  };
}

/** An HTTP request as the fake received it. */
export interface WireRequest {
  /** The signing name of its SigV4 credential scope. */
  readonly signingName: string;
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  /** The `X-Amz-Target` header (JSON protocols: `<service>.<Operation>`), "" when absent. */
  readonly target: string;
  readonly body: string;
}

/** The service a request is for, by its signing name and (query protocols) its `Version`. */
export function serviceOf(request: WireRequest): WireService | undefined {
  const candidates = [...servicesByNamespace().values()].filter(
    (s) => s.signingName === request.signingName,
  );
  if (candidates.length <= 1) return candidates[0];
  const version = new URLSearchParams(request.body).get("Version");
  return candidates.find((s) => s.version === version);
}

/**
 * The operation among `operations` a request calls and its input in SDK shape; when none
 * of them matches, the operation's name (query protocols name it, with the form's fields
 * as its input; a REST path that matches nothing is `METHOD /path`).
 */
export async function readRequest(
  request: WireRequest,
  service: WireService,
  operations: readonly WireOperation[],
): Promise<{ operation: WireOperation | undefined; name: string; input: Record<string, unknown> }> {
  if (isJsonRpc(service.protocol)) {
    const name = request.target.slice(request.target.lastIndexOf(".") + 1);
    const operation = operations.find((o) => o.name === name);
    if (operation === undefined || service.codec === undefined) {
      // Not served (a fault's target, say): the body as it came.
      const body: unknown = request.body === "" ? {} : JSON.parse(request.body);
      return { operation, name, input: (body ?? {}) as Record<string, unknown> };
    }
    const input = await service.codec
      .createDeserializer()
      .read(NormalizedSchema.of(operation.input), request.body === "" ? "{}" : request.body);
    return { operation, name, input: input as Record<string, unknown> };
  }
  if (service.protocol === "ec2Query" || service.protocol === "awsQuery") {
    const form = new URLSearchParams(request.body);
    const name = form.get("Action") ?? "";
    const operation = operations.find((o) => o.name === name);
    if (operation !== undefined) {
      return {
        operation,
        name,
        input: readQueryStruct(operation.input, form, "", service.protocol),
      };
    }
    // Not served (a fault's target, say): the form's own fields, as strings.
    form.delete("Action");
    form.delete("Version");
    return { operation, name, input: Object.fromEntries(form) };
  }
  for (const operation of operations) {
    const labels = matchPath(operation, request);
    if (labels === undefined) continue;
    const input: Record<string, unknown> = {};
    for (const [member, schema] of NormalizedSchema.of(operation.input).structIterator()) {
      const traits = schema.getMergedTraits();
      if (traits.httpLabel) {
        const value = labels.get(member);
        if (value !== undefined) input[member] = value;
      } else if (typeof traits.httpQuery === "string") {
        const values = request.query.getAll(traits.httpQuery);
        if (values.length > 0) {
          input[member] = schema.isListSchema()
            ? values.map((v) => scalar(schema.getValueSchema(), v))
            : scalar(schema, values[0] ?? "");
        }
      }
    }
    if (request.body !== "" && service.codec !== undefined && service.protocol === "restJson1") {
      const body = await service.codec
        .createDeserializer()
        .read(NormalizedSchema.of(operation.input), request.body);
      Object.assign(input, body);
    }
    return { operation, name: operation.name, input };
  }
  return { operation: undefined, name: `${request.method} ${request.path}`, input: {} };
}

/**
 * The labels of a REST operation's path in a request, or undefined when it is not the
 * operation's. Labels of the input that the path lacks lead the path: S3's `Bucket` under
 * path-style addressing (`/bucket-name?tagging`).
 */
function matchPath(
  operation: WireOperation,
  request: WireRequest,
): Map<string, string> | undefined {
  const http = operation.http;
  if (http === undefined || http.method !== request.method) return undefined;
  for (const [key, value] of Object.entries(http.query)) {
    if (request.query.get(key) !== value) return undefined;
  }
  const inPath = new Set(http.segments.filter((s) => s.startsWith("{")).map((s) => s.slice(1, -1)));
  const leading = [...NormalizedSchema.of(operation.input).structIterator()]
    .filter(([member, schema]) => schema.getMergedTraits().httpLabel && !inPath.has(member))
    .map(([member]) => `{${member}}`);
  const pattern = [...leading, ...http.segments];
  const segments = request.path.split("/").filter((s) => s !== "");
  if (segments.length !== pattern.length) return undefined;
  const labels = new Map<string, string>();
  for (const [i, p] of pattern.entries()) {
    const segment = decodeURIComponent(segments[i] ?? "");
    if (p.startsWith("{")) labels.set(p.slice(1, -1).replace(/\+$/, ""), segment);
    else if (p !== segment) return undefined;
  }
  return labels;
}

/** A scalar of a form or query value, typed by its schema. */
function scalar(schema: NormalizedSchema, value: string): unknown {
  if (schema.isNumericSchema()) return Number(value);
  if (schema.isBooleanSchema()) return value === "true";
  if (schema.isTimestampSchema()) return new Date(value);
  return value;
}

/** The form key of a member, as the SDK's QueryShapeSerializer writes it. */
function queryKey(member: string, schema: NormalizedSchema, protocol: WireProtocol): string {
  const traits = schema.getMergedTraits();
  if (protocol === "ec2Query") {
    if (typeof traits.ec2QueryName === "string") return traits.ec2QueryName;
    const key = typeof traits.xmlName === "string" ? traits.xmlName : member;
    return key.charAt(0).toUpperCase() + key.slice(1);
  }
  return typeof traits.xmlName === "string" ? traits.xmlName : member;
}

function readQuery(
  schema: NormalizedSchema,
  form: URLSearchParams,
  prefix: string,
  protocol: WireProtocol,
): unknown {
  if (schema.isStructSchema()) return readQueryStruct(schema, form, `${prefix}.`, protocol);
  if (schema.isListSchema()) {
    const item = schema.getValueSchema();
    const traits = item.getMergedTraits();
    const flat = protocol === "ec2Query" || schema.getMergedTraits().xmlFlattened === 1;
    const member = typeof traits.xmlName === "string" ? traits.xmlName : "member";
    const items: unknown[] = [];
    for (let i = 1; ; i++) {
      const key = flat ? `${prefix}.${i}` : `${prefix}.${member}.${i}`;
      const present = [...form.keys()].some((k) => k === key || k.startsWith(`${key}.`));
      if (!present) return items;
      items.push(readQuery(item, form, key, protocol));
    }
  }
  const value = form.get(prefix);
  return value === null ? undefined : scalar(schema, value);
}

function readQueryStruct(
  schemaRef: $SchemaRef | NormalizedSchema,
  form: URLSearchParams,
  prefix: string,
  protocol: WireProtocol,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [member, schema] of NormalizedSchema.of(schemaRef).structIterator()) {
    const value = readQuery(
      schema,
      form,
      `${prefix}${queryKey(member, schema, protocol)}`,
      protocol,
    );
    if (value !== undefined && !(Array.isArray(value) && value.length === 0)) out[member] = value;
  }
  return out;
}

/** An HTTP answer. */
export interface WireAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

function xmlOf(
  service: WireService,
  schema: $SchemaRef | NormalizedSchema,
  value: unknown,
  xmlns = "",
): string {
  const serializer = new XmlShapeSerializer({
    timestampFormat: { useTrait: true, default: 5 },
    httpBindings: false,
    xmlNamespace: xmlns,
    serviceNamespace: service.namespace,
  });
  serializer.write(NormalizedSchema.of(schema), value);
  return String(serializer.flush());
}

/** Renames the root element of serialized XML. */
function renamed(xml: string, root: string): string {
  const name = /^<([^\s/>]+)/.exec(xml)?.[1] ?? "";
  const open = `<${root}${xml.slice(name.length + 1)}`;
  return open.endsWith(`</${name}>`) ? `${open.slice(0, -(name.length + 3))}</${root}>` : open;
}

/** The answer of an operation with `output` (SDK shape), in its service's protocol. */
export function writeAnswer(operation: WireOperation, output: object): WireAnswer {
  const { service, name } = operation;
  switch (service.protocol) {
    case "ec2Query":
      return {
        status: 200,
        headers: { "content-type": "text/xml" },
        body: renamed(
          xmlOf(service, operation.output, output, service.xmlNamespace),
          `${name}Response`,
        ),
      };
    case "awsQuery":
      return {
        status: 200,
        headers: { "content-type": "text/xml" },
        body: `<${name}Response xmlns="${service.xmlNamespace ?? ""}">${renamed(xmlOf(service, operation.output, output), `${name}Result`)}<ResponseMetadata><RequestId>fake</RequestId></ResponseMetadata></${name}Response>`,
      };
    case "restXml":
    case "restJson1":
      return writeRest(operation, output);
    case "awsJson1_0":
    case "awsJson1_1":
      return {
        status: 200,
        headers: { "content-type": jsonContentType(service.protocol) },
        body: encodeBody(service, NormalizedSchema.of(operation.output), output),
      };
  }
}

function jsonContentType(protocol: "awsJson1_0" | "awsJson1_1"): string {
  return `application/x-amz-json-${protocol === "awsJson1_0" ? "1.0" : "1.1"}`;
}

function writeRest(operation: WireOperation, output: object): WireAnswer {
  const { service } = operation;
  const values = output as Record<string, unknown>;
  const headers: Record<string, string> = {
    "content-type": service.protocol === "restXml" ? "application/xml" : "application/json",
  };
  let status = 200;
  let payload: string | undefined;
  const schema = NormalizedSchema.of(operation.output);
  for (const [member, memberSchema] of schema.structIterator()) {
    const value = values[member];
    if (value === undefined) continue;
    const traits = memberSchema.getMergedTraits();
    if (typeof traits.httpHeader === "string") {
      headers[traits.httpHeader.toLowerCase()] =
        value instanceof Date ? value.toUTCString() : String(value);
    } else if (traits.httpResponseCode) {
      status = Number(value);
    } else if (traits.httpPayload) {
      payload = encodeBody(service, memberSchema, value);
    }
  }
  // Members bound to headers are written in the body as well, where the SDK ignores them.
  return { status, headers, body: payload ?? encodeBody(service, schema, output) };
}

function encodeBody(service: WireService, schema: NormalizedSchema, value: unknown): string {
  if (service.protocol === "restXml") return xmlOf(service, schema, value, service.xmlNamespace);
  // REST JSON and the JSON protocols: the client's own JSON codec.
  if (service.codec === undefined) throw new Error(`${service.key} has no payload codec`);
  const serializer = service.codec.createSerializer();
  serializer.write(schema, value);
  // The JSON codec writes bytes (a Uint8Array that warns when used as a string).
  const body = serializer.flush();
  return body instanceof Uint8Array ? new TextDecoder().decode(body) : String(body);
}

const escapeXml = (s: string) => s.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);

/** An error answer in the service's protocol, as the SDK parses it into an error named `code`. */
export function writeError(
  service: WireService,
  status: number,
  code: string,
  message: string,
): WireAnswer {
  const xml = { "content-type": "text/xml" };
  const error = `<Error><Type>Sender</Type><Code>${escapeXml(code)}</Code><Message>${escapeXml(message)}</Message></Error>`;
  switch (service.protocol) {
    case "ec2Query":
      return {
        status,
        headers: xml,
        body: `<Response><Errors>${error}</Errors><RequestID>fake</RequestID></Response>`,
      };
    case "awsQuery":
      return {
        status,
        headers: xml,
        body: `<ErrorResponse>${error}<RequestId>fake</RequestId></ErrorResponse>`,
      };
    case "restXml":
      return { status, headers: xml, body: error };
    case "restJson1":
      return {
        status,
        headers: { "content-type": "application/json", "x-amzn-errortype": code },
        body: JSON.stringify({ message }),
      };
    case "awsJson1_0":
    case "awsJson1_1":
      return {
        status,
        headers: { "content-type": jsonContentType(service.protocol), "x-amzn-errortype": code },
        body: JSON.stringify({ __type: code, message }),
      };
  }
}
