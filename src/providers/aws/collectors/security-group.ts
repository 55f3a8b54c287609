/** Security groups: EC2 DescribeSecurityGroups, one call per page, rules flattened per source. */

import {
  type IpPermission,
  paginateDescribeSecurityGroups,
  type SecurityGroup,
} from "@aws-sdk/client-ec2";
import { create } from "@bufbuild/protobuf";
import { payload } from "../../../contract/resource-types.ts";
import {
  SecurityGroupSchema,
  type SecurityRule,
  SecurityRuleSchema,
} from "../../../gen/elava/v1/network_pb.ts";
import { callOptions, defineCollector } from "../collector.ts";
import { ec2Arn, nameFrom, requireId, tagRecord } from "../tags.ts";

/** DescribeSecurityGroups allows 5..1000. */
const PAGE_SIZE = 1000;

/** One rule per range, group pair and prefix list of each permission (see SecurityRule). */
export function flattenRules(permissions: readonly IpPermission[] | undefined): SecurityRule[] {
  const rules: SecurityRule[] = [];
  for (const p of permissions ?? []) {
    const base = {
      protocol: p.IpProtocol ?? "",
      fromPort: p.FromPort ?? -1,
      toPort: p.ToPort ?? -1,
    };
    const before = rules.length;
    for (const r of p.IpRanges ?? []) {
      rules.push(
        create(SecurityRuleSchema, {
          ...base,
          cidrBlock: r.CidrIp ?? "",
          description: r.Description ?? "",
        }),
      );
    }
    for (const r of p.Ipv6Ranges ?? []) {
      rules.push(
        create(SecurityRuleSchema, {
          ...base,
          cidrBlock: r.CidrIpv6 ?? "",
          description: r.Description ?? "",
        }),
      );
    }
    for (const g of p.UserIdGroupPairs ?? []) {
      rules.push(
        create(SecurityRuleSchema, {
          ...base,
          sourceSg: g.GroupId ?? "",
          sourceSgOwnerId: g.UserId ?? "",
          description: g.Description ?? "",
        }),
      );
    }
    for (const l of p.PrefixListIds ?? []) {
      rules.push(
        create(SecurityRuleSchema, {
          ...base,
          prefixListId: l.PrefixListId ?? "",
          description: l.Description ?? "",
        }),
      );
    }
    // A permission without any source still says which ports are open: keep it.
    if (rules.length === before) rules.push(create(SecurityRuleSchema, base));
  }
  return rules;
}

export const securityGroupCollector = defineCollector({
  type: "security_group",
  service: "ec2",
  iamActions: ["ec2:DescribeSecurityGroups"],
  async *list(ctx) {
    for await (const page of paginateDescribeSecurityGroups(
      { client: ctx.clients.ec2, pageSize: PAGE_SIZE },
      {},
      callOptions(ctx),
    )) {
      yield page.SecurityGroups ?? [];
    }
  },
  toProto(g: SecurityGroup, unit) {
    const id = requireId(g.GroupId, "security group", unit);
    const tags = tagRecord(g.Tags);
    return {
      id,
      name: nameFrom(tags, g.GroupName ?? id),
      arn: g.SecurityGroupArn ?? ec2Arn(unit, "security-group", id, g.OwnerId),
      tags,
      payload: payload(
        "security_group",
        create(SecurityGroupSchema, {
          groupId: id,
          groupName: g.GroupName ?? "",
          vpcId: g.VpcId ?? "",
          description: g.Description ?? "",
          ingressRules: flattenRules(g.IpPermissions),
          egressRules: flattenRules(g.IpPermissionsEgress),
          ownerId: g.OwnerId ?? "",
        }),
      ),
    };
  },
});
