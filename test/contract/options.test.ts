/**
 * The schema's own rules (proto/elava/v1/options.proto) are complete and point at things
 * that exist: every payload message declares its identity, every field that looks like a
 * reference declares one (or is on the list of non-references below, with the reason),
 * and no option names a type or a field that does not exist. `schemaProblems` is run on
 * the real schema (no problem) and on a schema built wrong on purpose (each mistake
 * found).
 */
import {
  create,
  createFileRegistry,
  type DescField,
  type DescMessage,
  getOption,
  ScalarType,
  setExtension,
} from "@bufbuild/protobuf";
import {
  FieldDescriptorProto_Label,
  FieldDescriptorProto_Type,
  FieldOptionsSchema,
  FileDescriptorProtoSchema,
  file_google_protobuf_descriptor,
  MessageOptionsSchema,
} from "@bufbuild/protobuf/wkt";
import { describe, expect, it } from "vitest";

import {
  ALL_RESOURCE_TYPES,
  isResourceType,
  RESOURCE_TYPES,
} from "../../src/contract/resource-types.ts";
import {
  fieldRules,
  IdForm,
  messagesWithin,
  payloadSchema,
  RELATIONS,
  resourceRules,
  Scope,
} from "../../src/contract/schema-rules.ts";
import {
  ConditionSchema,
  FieldRulesSchema,
  field as fieldOption,
  file_elava_v1_options,
  ReferenceSchema,
  ResourceRulesSchema,
  resource as resourceOption,
} from "../../src/gen/elava/v1/options_pb.ts";

/**
 * Fields whose names look like references but name no resource of this schema, and why.
 * An entry that gains a reference, or whose field goes away, fails the test.
 */
const NOT_REFERENCES: Readonly<Record<string, string>> = {
  "elava.v1.Ec2Instance.image_id": "AMIs are not a resource type of this schema",
  "elava.v1.LaunchTemplate.image_id": "AMIs are not a resource type of this schema",
  "elava.v1.RdsInstance.kms_key_id": "KMS keys are not a resource type of this schema",
  "elava.v1.S3Bucket.kms_key_id": "KMS keys are not a resource type of this schema",
  "elava.v1.Vpc.dhcp_options_id": "DHCP option sets are not a resource type of this schema",
  "elava.v1.Vpc.owner_id": "an account, not a resource",
  "elava.v1.InternetGateway.owner_id": "an account, not a resource",
  "elava.v1.SecurityGroup.owner_id": "an account, not a resource",
  "elava.v1.Subnet.availability_zone_id": "an availability zone, not a resource",
  "elava.v1.SecurityRule.prefix_list_id": "prefix lists are not a resource type of this schema",
  "elava.v1.LoadBalancer.canonical_hosted_zone_id": "the Route 53 zone of the ELB service",
  "elava.v1.IamRole.role_id": "the role's own unique id (its resource_id is the ARN)",
  "elava.v1.IamRole.instance_profile_arns":
    "instance profiles are not a v1 type; other types' references match this field",
  "elava.v1.NatGateway.elastic_ip": "the public address; the Elastic IP is allocation_id",
  "elava.v1.NetworkInterface.attachment_instance_owner_id":
    "an account or a service (amazon-elb), not a resource",
  "elava.v1.NetworkInterface.requester_id": "a principal or a service (amazon-elb), not a resource",
  "elava.v1.NetworkInterface.owner_id": "an account, not a resource",
  "elava.v1.ElasticIp.association_id": "the association, not a resource",
  "elava.v1.ElasticIp.network_interface_owner_id": "an account, not a resource",
  "elava.v1.EbsVolume.kms_key_id": "KMS keys are not a resource type of this schema",
  "elava.v1.EbsVolume.snapshot_id": "EBS snapshots are not a resource type of this schema",
  "elava.v1.RdsCluster.kms_key_id": "KMS keys are not a resource type of this schema",
  "elava.v1.IamUser.user_id": "the user's own unique id (its resource_id is the ARN)",
  "elava.v1.IamUser.inline_policy_names":
    "inline policies are part of the user, not managed policies (iam_policy)",
  "elava.v1.AccessKey.access_key_id": "the key's own id; access keys are part of the user",
  "elava.v1.IamPolicy.policy_id": "the policy's own unique id (its resource_id is the ARN)",
  "elava.v1.IamPolicy.default_version_id": "a version of this policy, not a resource",
  "elava.v1.LambdaFunction.kms_key_arn": "KMS keys are not a resource type of this schema",
  "elava.v1.LambdaFunction.layer_arns": "Lambda layers are not a resource type of this schema",
  "elava.v1.EcsService.task_definition_arn":
    "task definitions are not a resource type of this schema",
  "elava.v1.EcsTask.task_definition_arn": "task definitions are not a resource type of this schema",
  "elava.v1.EcsTask.container_instance_arn":
    "container instances are not a resource type of this schema; ec2_instance_id names the instance",
  "elava.v1.EfsFilesystem.kms_key_id": "KMS keys are not a resource type of this schema",
  "elava.v1.EfsMountTarget.mount_target_id":
    "the mount target's own id: mount targets are published inside their file system",
  "elava.v1.SnsSubscription.subscription_arn":
    "the subscription's own ARN: subscriptions are published inside their topic",
  "elava.v1.SnsTopic.kms_master_key_id": "KMS keys are not a resource type of this schema",
  "elava.v1.SqsQueue.kms_master_key_id": "KMS keys are not a resource type of this schema",
  "elava.v1.SqsQueue.queue_name":
    "the queue's own name (its resource_id is the ARN); alarms' QueueName dimensions match it",
  "elava.v1.SnsTopic.topic_name":
    "the topic's own name (its resource_id is the ARN); alarms' TopicName dimensions match it",
  "elava.v1.IamRole.trusted_services":
    "AWS service principals (lambda.amazonaws.com), not ECS services",
};

/** Service prefixes that a field may leave out when it names a type (`cluster_name`). */
const SERVICE_PREFIXES = [
  "ec2_",
  "eks_",
  "rds_",
  "db_",
  "iam_",
  "s3_",
  "lambda_",
  "ecs_",
  "efs_",
  "cloudwatch_",
  "sns_",
  "sqs_",
];
const TYPE_STEMS = ALL_RESOURCE_TYPES.flatMap((t) => {
  const prefix = SERVICE_PREFIXES.find((p) => t.startsWith(p));
  return prefix === undefined ? [t] : [t, t.slice(prefix.length)];
});

/**
 * The rule: a string field (or list of strings) looks like a reference when its name is
 * `id` or ends in `_id(s)`,
 * `_arn(s)`, `_identifier(s)` or `_sg(s)`, or when, without a trailing `_name(s)` or
 * plural `s`, it is or ends in `_<type>` for a resource type, with or without its service
 * prefix (`autoscaling_group_name`, `cluster_name`, `node_role`).
 */
function looksLikeReference(name: string): boolean {
  if (/(^|_)(id|ids|arn|arns|identifier|identifiers|sg|sgs)$/u.test(name)) return true;
  const base = name.replace(/_names?$/u, "").replace(/s$/u, "");
  return TYPE_STEMS.some((stem) => base === stem || base.endsWith(`_${stem}`));
}

function fieldByName(m: DescMessage, name: string): DescField | undefined {
  return m.fields.find((f) => f.name === name);
}

/** Every problem with the rules of one resource type's payload message. */
function schemaProblems(
  type: string,
  root: DescMessage,
  notReferences: Readonly<Record<string, string>>,
  targetSchema: (type: string) => DescMessage | undefined,
): string[] {
  const problems: string[] = [];
  const rules = getOption(root, resourceOption);
  const where = root.typeName;
  if (rules.scope === Scope.UNSPECIFIED) problems.push(`${where}: no (elava.v1.resource) scope`);
  if (rules.idForm === IdForm.UNSPECIFIED) problems.push(`${where}: no id_form`);
  if (rules.idForm === IdForm.ARN && rules.idFields.length > 0) {
    problems.push(`${where}: id_form ARN takes no id_fields (the resource_id is the arn)`);
  }
  if (rules.idForm !== IdForm.ARN && rules.idFields.length === 0) {
    problems.push(`${where}: id_fields is empty`);
  }
  for (const name of [...rules.idFields, rules.ownerAccountField, rules.ownerRegionField]) {
    if (name !== "" && fieldByName(root, name) === undefined) {
      problems.push(`${where}: names field "${name}", which does not exist`);
    }
  }
  for (const m of messagesWithin(root)) {
    const covered = new Set(m === root ? rules.idFields : []);
    if (m === root) covered.add(rules.ownerAccountField).add(rules.ownerRegionField);
    for (const f of m.fields) {
      for (const r of fieldRules(f).references) {
        for (const n of [...r.compositeFields, r.accountField, r.regionField]) covered.add(n);
      }
    }
    for (const f of m.fields) {
      const at = `${m.typeName}.${f.name}`;
      const fr = fieldRules(f);
      if (fr.unordered && f.fieldKind !== "list")
        problems.push(`${at}: unordered but not repeated`);
      for (const r of fr.references) {
        if (!isResourceType(r.targetType)) {
          problems.push(`${at}: target_type "${r.targetType}" is not a resource type`);
        }
        if (!(RELATIONS as readonly string[]).includes(r.relation)) {
          problems.push(`${at}: relation "${r.relation}" is not a seed relation`);
        }
        if (r.idForm === IdForm.UNSPECIFIED) problems.push(`${at}: reference without id_form`);
        if ((r.idForm === IdForm.COMPOSITE) !== r.compositeFields.length > 0) {
          problems.push(`${at}: composite_fields go with id_form COMPOSITE, and only with it`);
        }
        if (r.compositeFields.length > 0 && !r.compositeFields.includes(f.name)) {
          problems.push(`${at}: composite_fields must include the field itself`);
        }
        for (const n of [...r.compositeFields, r.accountField, r.regionField]) {
          if (n !== "" && fieldByName(m, n) === undefined) {
            problems.push(`${at}: names field "${n}", which ${m.typeName} does not have`);
          }
        }
        if (r.when !== undefined && fieldByName(root, r.when.field) === undefined) {
          problems.push(`${at}: when names field "${r.when.field}", which ${where} does not have`);
        }
        const target = targetSchema(r.targetType);
        if (r.targetField !== "" && target !== undefined) {
          if (fieldByName(target, r.targetField) === undefined) {
            problems.push(
              `${at}: target_field "${r.targetField}" is not a field of ${target.typeName}`,
            );
          }
        }
        if (r.idPrefixes.some((p) => p === "")) problems.push(`${at}: an empty id prefix`);
        const map = f.fieldKind === "map";
        if (map && (r.mapKey === "" || f.mapKey !== ScalarType.STRING)) {
          problems.push(`${at}: a reference on a map must name its map_key, on string keys`);
        }
        if (!map && r.mapKey !== "") problems.push(`${at}: map_key on a field that is no map`);
      }
      const listed = Object.hasOwn(notReferences, at);
      if (listed && fr.references.length > 0) {
        problems.push(`${at}: has a reference, so it is not a non-reference: unlist it`);
      }
      const strings = f.fieldKind !== "map" && f.scalar === ScalarType.STRING;
      const candidate = strings && looksLikeReference(f.name);
      if (candidate && fr.references.length === 0 && !covered.has(f.name)) {
        if (!listed) {
          problems.push(
            `${at} looks like a reference (${type}) but has no (elava.v1.field).references: declare one, or list it in NOT_REFERENCES with the reason`,
          );
        }
      }
    }
  }
  return problems;
}

const realTarget = (t: string) => (isResourceType(t) ? payloadSchema(t) : undefined);

describe("the schema's rules", () => {
  it.each(ALL_RESOURCE_TYPES)("%s: declares its identity and every reference, soundly", (type) => {
    expect(schemaProblems(type, payloadSchema(type), NOT_REFERENCES, realTarget)).toEqual([]);
  });

  it("lists as non-references only fields that exist", () => {
    const all = new Set(
      ALL_RESOURCE_TYPES.flatMap((t) =>
        messagesWithin(payloadSchema(t)).flatMap((m) =>
          m.fields.map((f) => `${m.typeName}.${f.name}`),
        ),
      ),
    );
    for (const name of Object.keys(NOT_REFERENCES)) expect(all, name).toContain(name);
  });

  it.each(ALL_RESOURCE_TYPES)("%s: its scope is the one RESOURCE_TYPES gives", (type) => {
    const scope = resourceRules(type).scope;
    expect(scope === Scope.GLOBAL ? "global" : "regional").toBe(RESOURCE_TYPES[type].scope);
  });

  it("marks unordered only repeated fields, and volatile fields in the envelope's scan part", () => {
    for (const type of ALL_RESOURCE_TYPES) {
      for (const m of messagesWithin(payloadSchema(type))) {
        for (const f of m.fields) {
          if (fieldRules(f).unordered) expect(f.fieldKind, `${m.typeName}.${f.name}`).toBe("list");
        }
      }
    }
  });

  it("the reference rule flags the names it should, and not the others", () => {
    for (const name of ["vpc_id", "subnet_ids", "role_arn", "target_group_arns", "id"]) {
      expect(looksLikeReference(name), name).toBe(true);
    }
    for (const name of ["autoscaling_group_name", "cluster_name", "node_role", "source_sg"]) {
      expect(looksLikeReference(name), name).toBe(true);
    }
    for (const name of ["vpc_zone_identifiers", "db_instance_identifier", "remote_access_sg"]) {
      expect(looksLikeReference(name), name).toBe(true);
    }
    for (const name of ["queue_name", "topic_name", "service_name", "dead_letter_target_arn"]) {
      expect(looksLikeReference(name), name).toBe(true);
    }
    for (const name of ["name", "group_name", "instance_types", "target_type", "cidr_blocks"]) {
      expect(looksLikeReference(name), name).toBe(false);
    }
  });
});

describe("schemaProblems on a schema built wrong on purpose", () => {
  /** A payload message `Broken` with the given fields and options, in a registry of its own. */
  function broken(
    resource: Parameters<typeof create<typeof ResourceRulesSchema>>[1],
    fields: ReadonlyArray<{ name: string; repeated?: boolean; rules?: object }>,
  ): DescMessage {
    const messageOptions = create(MessageOptionsSchema);
    setExtension(messageOptions, resourceOption, create(ResourceRulesSchema, resource));
    const file = create(FileDescriptorProtoSchema, {
      name: "broken.proto",
      package: "test.v1",
      syntax: "proto3",
      dependency: ["elava/v1/options.proto"],
      messageType: [
        {
          name: "Broken",
          options: messageOptions,
          field: fields.map((f, i) => {
            const options = create(FieldOptionsSchema);
            if (f.rules !== undefined) {
              setExtension(options, fieldOption, create(FieldRulesSchema, f.rules as never));
            }
            return {
              name: f.name,
              number: i + 1,
              type: FieldDescriptorProto_Type.STRING,
              label: f.repeated
                ? FieldDescriptorProto_Label.REPEATED
                : FieldDescriptorProto_Label.OPTIONAL,
              jsonName: f.name,
              options,
            };
          }),
        },
      ],
    });
    const registry = createFileRegistry(file, (name) => {
      if (name === "elava/v1/options.proto") return file_elava_v1_options;
      if (name === "google/protobuf/descriptor.proto") return file_google_protobuf_descriptor;
      return undefined;
    });
    const m = registry.getMessage("test.v1.Broken");
    if (m === undefined) throw new Error("the broken message did not build");
    return m;
  }

  it("finds each mistake", () => {
    const ref = (init: object) => create(ReferenceSchema, init as never);
    const m = broken({ scope: Scope.REGIONAL, idForm: IdForm.ID, idFields: ["widget_id"] }, [
      { name: "widget_id" },
      { name: "vpc_id" },
      { name: "load_balancer_names", repeated: true },
      { name: "shape", rules: { unordered: true } },
      {
        name: "thing_id",
        rules: {
          references: [ref({ targetType: "nope", idForm: IdForm.ID, relation: "runs_in" })],
        },
      },
      {
        name: "peer_vpc_id",
        rules: {
          references: [
            ref({
              targetType: "vpc",
              idForm: IdForm.ID,
              relation: "likes",
              accountField: "peer_owner",
              when: create(ConditionSchema, { field: "kind", values: ["x"] }),
            }),
          ],
        },
      },
      {
        name: "profile_arn",
        rules: {
          references: [
            ref({
              targetType: "iam_role",
              idForm: IdForm.ARN,
              relation: "assumed_by",
              targetField: "profiles",
            }),
          ],
        },
      },
      {
        name: "instance_id",
        rules: {
          references: [
            ref({
              targetType: "ec2_instance",
              idForm: IdForm.ID,
              relation: "depends_on",
              mapKey: "InstanceId",
            }),
          ],
        },
      },
    ]);
    const problems = schemaProblems("widget", m, {}, realTarget);
    const expected = [
      /test\.v1\.Broken\.vpc_id looks like a reference/u,
      /test\.v1\.Broken\.load_balancer_names looks like a reference/u,
      /shape: unordered but not repeated/u,
      /thing_id: target_type "nope" is not a resource type/u,
      /peer_vpc_id: relation "likes" is not a seed relation/u,
      /peer_vpc_id: names field "peer_owner", which test\.v1\.Broken does not have/u,
      /peer_vpc_id: when names field "kind"/u,
      /profile_arn: target_field "profiles" is not a field of elava\.v1\.IamRole/u,
      /instance_id: map_key on a field that is no map/u,
    ];
    for (const e of expected)
      expect(
        problems.some((p) => e.test(p)),
        String(e),
      ).toBe(true);
    expect(problems).toHaveLength(expected.length);
  });

  it("finds a resource without identity, and identity fields that do not exist", () => {
    expect(schemaProblems("w", broken({}, [{ name: "name" }]), {}, realTarget)).toEqual([
      "test.v1.Broken: no (elava.v1.resource) scope",
      "test.v1.Broken: no id_form",
      "test.v1.Broken: id_fields is empty",
    ]);
    const m = broken({ scope: Scope.GLOBAL, idForm: IdForm.NAME, idFields: ["nom"] }, []);
    expect(schemaProblems("w", m, {}, realTarget)).toEqual([
      'test.v1.Broken: names field "nom", which does not exist',
    ]);
  });

  it("finds a listed non-reference that has a reference", () => {
    const m = broken({ scope: Scope.REGIONAL, idForm: IdForm.ID, idFields: ["id"] }, [
      { name: "id" },
      {
        name: "vpc_id",
        rules: {
          references: [
            create(ReferenceSchema, { targetType: "vpc", idForm: IdForm.ID, relation: "runs_in" }),
          ],
        },
      },
    ]);
    expect(schemaProblems("w", m, { "test.v1.Broken.vpc_id": "why" }, realTarget)).toEqual([
      "test.v1.Broken.vpc_id: has a reference, so it is not a non-reference: unlist it",
    ]);
  });
});
