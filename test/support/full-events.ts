/**
 * A fully populated snapshot event of every resource type, for the contract tests: the
 * payload is what the type's collector maps from its full fixture (the SDK answers in
 * test/providers/aws/collectors/<type>.fixture.ts, whose every field the registry test
 * requires set) with its unordered lists in canonical order, the envelope fixed values. A
 * type's data is thus written once, in SDK shape, and a new type has its full event without
 * a file of its own.
 *
 * The collectors run on real SDK clients whose `send` answers from the fixture directly,
 * without HTTP or a mocking library, so this module also works outside the test runner
 * (a child process hashing an event, say).
 */
import { clone, create, type DescMessage, type Message, toBinary } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { CONTENT_HASH_SCHEME } from "../../src/contract/content-hash.ts";
import type { ObservedResource } from "../../src/contract/encode.ts";
import {
  ALL_RESOURCE_TYPES,
  GLOBAL_REGION,
  type ResourcePayload,
  type ResourceType,
  scopeOf,
} from "../../src/contract/resource-types.ts";
import { isUnordered, payloadSchema } from "../../src/contract/schema-rules.ts";
import {
  ChangeType,
  type InfrastructureChangeEvent,
  InfrastructureChangeEventSchema,
} from "../../src/gen/elava/v1/event_pb.ts";
import type { CollectorContext, UnitRef } from "../../src/providers/aws/collector.ts";
import { COLLECTORS } from "../../src/providers/aws/registry.ts";
import { AWS_SERVICES, type AwsClients, SERVICES } from "../../src/providers/aws/services.ts";
import { type AnyAnswer, AwsErrorAnswer, sdkErrorOf } from "./aws-answers.ts";
import { loadAwsFixtures } from "./aws-fixture.ts";

const ACCOUNT = "123456789012";

/**
 * Clients whose `send` answers every command from `answers`, as the SDK would resolve it.
 * Each inherits from a real client, since the SDK's paginators check their client's class.
 */
export function answeringClients(answers: readonly AnyAnswer[]): AwsClients {
  const config = {
    region: "us-east-1",
    credentials: { accessKeyId: "AKIDTESTONLY", secretAccessKey: "test-only" },
  };
  const byCommand = new Map<unknown, AnyAnswer>(answers.map((a) => [a.command, a]));
  const send = async (command: { constructor: unknown; input: never }) => {
    const answer = byCommand.get(command.constructor);
    if (answer === undefined) {
      throw new Error(
        `the fixture has no answer for ${(command.constructor as { name: string }).name}`,
      );
    }
    const output = answer.respond(command.input);
    if (output instanceof AwsErrorAnswer) throw sdkErrorOf(output);
    return { $metadata: {}, ...output };
  };
  return Object.fromEntries(
    AWS_SERVICES.map((s) => [
      s,
      Object.create(new SERVICES[s].client(config), { send: { value: send } }),
    ]),
  ) as unknown as AwsClients;
}

/** What a type's collector lists from its full fixture: the fully populated resource. */
export async function fullResource(type: ResourceType): Promise<ObservedResource> {
  const [main] = await fullResources(type);
  return main as ObservedResource;
}

/**
 * The full fixture's resource and its variants (AwsFixture.full), in that order: together
 * they set every field.
 */
export async function fullResources(type: ResourceType): Promise<ObservedResource[]> {
  const { full } = (await loadAwsFixtures([type]))[type];
  const unit: UnitRef = {
    partition: "aws",
    accountId: ACCOUNT,
    region: scopeOf(type) === "global" ? GLOBAL_REGION : "us-east-1",
  };
  const ctx: CollectorContext = {
    ...unit,
    clients: answeringClients(full.answers),
    signal: new AbortController().signal,
    limit: (fn) => fn(),
  };
  const collector = COLLECTORS[type];
  const wanted = [full.id, ...(full.variants ?? [])];
  const found = new Map<string, ObservedResource>();
  for await (const page of collector.list(ctx)) {
    for (const item of page) {
      const resource = collector.toProto(item, unit);
      if (wanted.includes(resource.id)) found.set(resource.id, resource);
    }
  }
  return wanted.map((id) => {
    const r = found.get(id);
    if (r === undefined) throw new Error(`${type}: the full fixture lists no resource ${id}`);
    return r;
  });
}

/** The full snapshot event of a type: its full resource in a fixed envelope, every field set. */
export async function fullEvent(type: ResourceType): Promise<InfrastructureChangeEvent> {
  return eventOf(type, await fullResource(type));
}

/** The full events of a type's full resource and of its variants (see fullResources). */
export async function fullVariantEvents(type: ResourceType): Promise<InfrastructureChangeEvent[]> {
  return (await fullResources(type)).map((r) => eventOf(type, r));
}

function eventOf(type: ResourceType, r: ObservedResource): InfrastructureChangeEvent {
  const value = inCanonicalOrder(payloadSchema(type), r.payload.value);
  const canonical = { case: r.payload.case, value } as ResourcePayload;
  return create(InfrastructureChangeEventSchema, {
    id: "01JQ0000000000000000000001",
    observedAt: timestampFromDate(new Date("2026-11-22T06:00:01.500Z")),
    changeType: ChangeType.SNAPSHOT,
    provider: "aws",
    accountId: ACCOUNT,
    region: scopeOf(type) === "global" ? GLOBAL_REGION : "us-east-1",
    resourceType: type,
    resourceId: r.id,
    resourceName: r.name,
    arn: r.arn,
    scanId: "01JQ0000000000000000000000",
    scanStartedAt: timestampFromDate(new Date("2026-11-22T06:00:00Z")),
    tags: { ...r.tags },
    contentHash: `${CONTENT_HASH_SCHEME}:${"ab".repeat(32)}`,
    resource: canonical,
  });
}

/**
 * The message with its unordered lists (the schema's `unordered` option) in the order the
 * publisher writes them: ascending by each element's protobuf-es encoding. A full event is
 * then published exactly as it is, as a contract fixture written in that order was.
 */
function inCanonicalOrder(schema: DescMessage, message: Message): Message {
  const copy = clone(schema, message);
  const record = copy as unknown as Record<string, unknown>;
  for (const field of schema.fields) {
    const value = record[field.localName];
    if (field.fieldKind === "message" && value !== undefined) {
      record[field.localName] = inCanonicalOrder(field.message, value as Message);
    } else if (field.fieldKind === "list" && Array.isArray(value)) {
      const list =
        field.listKind === "message"
          ? value.map((e: Message) => inCanonicalOrder(field.message, e))
          : [...value];
      if (isUnordered(field)) {
        const key = (e: unknown) =>
          field.listKind === "message"
            ? Buffer.from(toBinary(field.message, e as Message))
            : Buffer.from(String(e), "utf8");
        list.sort((a, b) => Buffer.compare(key(a), key(b)));
      }
      record[field.localName] = list;
    }
  }
  return copy;
}

/** The full event of every type. */
export async function fullEvents(): Promise<Record<ResourceType, InfrastructureChangeEvent>> {
  const events = await Promise.all(ALL_RESOURCE_TYPES.map(async (t) => [t, await fullEvent(t)]));
  return Object.fromEntries(events) as Record<ResourceType, InfrastructureChangeEvent>;
}
