/**
 * Writes what is derived from the AWS collector registry, so that no one keeps it in step
 * by hand: deploy/iam-policy.json (exactly the actions the collectors and the framework
 * declare) and docs/aws-resource-types.md (the table of types, services and calls).
 * `npm run generate` runs it after `buf generate`; a test fails while either file differs
 * from what this writes.
 *
 *   tsx scripts/generate-aws.ts
 */
import { writeFileSync } from "node:fs";
import { ALL_RESOURCE_TYPES, RESOURCE_TYPES } from "../src/contract/resource-types.ts";
import { InfrastructureChangeEventSchema } from "../src/gen/elava/v1/event_pb.ts";
import {
  COLLECTORS,
  FRAMEWORK_IAM_ACTIONS,
  requiredIamActions,
} from "../src/providers/aws/registry.ts";
import { SERVICES } from "../src/providers/aws/services.ts";

/** The files this script writes, relative to the repository root, and their contents. */
export function derivedFiles(): Record<string, string> {
  return {
    "deploy/iam-policy.json": iamPolicy(),
    "docs/aws-resource-types.md": resourceTypesDoc(),
  };
}

/**
 * The IAM actions only the identity listing an organisation's accounts needs (`--org-role`:
 * the management or a delegated administrator account), in a statement of their own so a
 * member account's role can leave it out.
 */
const isOrganizationAction = (action: string) => action.startsWith("organizations:");

/**
 * The read-only policy of the scanning identity, the listing of the organisation's accounts,
 * and the role assumption of --assume-role and --org-role.
 */
export function iamPolicy(): string {
  const actions = requiredIamActions();
  const organization = actions.filter(isOrganizationAction);
  const policy = {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "ElavaReadInventory",
        Effect: "Allow",
        Action: actions.filter((a) => !isOrganizationAction(a)),
        Resource: "*",
      },
      {
        Sid: "ElavaListOrganizationAccounts",
        Effect: "Allow",
        Action: organization.length === 1 ? organization[0] : organization,
        Resource: "*",
      },
      {
        Sid: "ElavaAssumeScanRoles",
        Effect: "Allow",
        Action: "sts:AssumeRole",
        Resource: "arn:aws:iam::*:role/elava-scan",
      },
    ],
  };
  return `${JSON.stringify(policy, null, 2)}\n`;
}

/** The protobuf message of a type's payload, e.g. `elava.v1.Ec2Instance`. */
function messageOf(caseName: string): string {
  const field = InfrastructureChangeEventSchema.fields.find((f) => f.localName === caseName);
  return field?.fieldKind === "message" ? field.message.typeName : "";
}

/** The table of resource types with what each costs in AWS calls. */
export function resourceTypesDoc(): string {
  const regional = ALL_RESOURCE_TYPES.filter((t) => RESOURCE_TYPES[t].scope === "regional").length;
  const rows = ALL_RESOURCE_TYPES.map((type) => {
    const { case: caseName, domain, scope } = RESOURCE_TYPES[type];
    const collector = COLLECTORS[type];
    const client = SERVICES[collector.service].client.name;
    const actions = [
      ...collector.iamActions.map((a) => `\`${a}\``),
      ...(collector.impliedIamActions ?? []).map((a) => `\`${a}\` (checked within a call)`),
    ].join(", ");
    return `| \`${type}\` | ${domain} | ${scope} | \`${messageOf(caseName)}\` | ${client} | ${actions} |`;
  });
  return [
    "# AWS resource types",
    "",
    "<!-- Written by `npm run generate` (scripts/generate-aws.ts) from src/providers/aws/registry.ts: edit the collectors, not this file. -->",
    "",
    "What Elava publishes from AWS: one typed message per resource type, each listed by one",
    "collector (`src/providers/aws/collectors/`) with the calls below, which are exactly the",
    "read-only actions of [deploy/iam-policy.json](../deploy/iam-policy.json). Global types are",
    "scanned once per account under region `global`; regional ones in every region scanned.",
    "",
    `${ALL_RESOURCE_TYPES.length} types: ${regional} regional, ${ALL_RESOURCE_TYPES.length - regional} global.`,
    "",
    "| type | domain | scope | message | SDK client | IAM actions |",
    "| --- | --- | --- | --- | --- | --- |",
    ...rows,
    "",
    `Besides the collectors, a scan makes calls of its own (identity, region discovery, the organisation's accounts): ${FRAMEWORK_IAM_ACTIONS.map((a) => `\`${a}\``).join(", ")}; and \`sts:AssumeRole\` for \`--assume-role\` and \`--org-role\`.`,
    "",
  ].join("\n");
}

if (import.meta.main) {
  for (const [path, content] of Object.entries(derivedFiles())) {
    writeFileSync(new URL(`../${path}`, import.meta.url), content);
    process.stdout.write(`wrote ${path}\n`);
  }
}
