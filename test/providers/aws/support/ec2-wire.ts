/** A small estate in EC2 wire shape for the fake endpoint (see test/support/fake-aws.ts). */
import { scriptDiscovery } from "../../../support/aws-estate.ts";
import type { FakeAws } from "../../../support/fake-aws.ts";

const tag = (key: string, value: string) => ({ key, value });

/** Scripts every EC2 operation the EC2 collectors call, with one resource each (two instances, two pages). */
export function scriptEc2Estate(fake: FakeAws): void {
  fake
    .pages("ec2", "DescribeInstances", [
      {
        reservationSet: [
          {
            reservationId: "r-1",
            instancesSet: [
              {
                instanceId: "i-0aaa",
                instanceType: "m6i.large",
                instanceState: { code: 16, name: "running" },
                privateDnsName: "ip-10-0-1-5.ec2.internal",
                tagSet: [tag("Name", "web-1"), tag("eks:cluster-name", "prod")],
              },
            ],
          },
        ],
      },
      {
        reservationSet: [{ reservationId: "r-2", instancesSet: [{ instanceId: "i-0bbb" }] }],
      },
    ])
    .respond("ec2", "DescribeLaunchTemplateVersions", {
      launchTemplateVersionSet: [
        {
          launchTemplateId: "lt-0aaa",
          versionNumber: 2,
          launchTemplateData: { instanceType: "t3.small" },
        },
      ],
    })
    .respond("ec2", "DescribeLaunchTemplates", {
      launchTemplates: [
        { launchTemplateId: "lt-0aaa", launchTemplateName: "web", latestVersionNumber: 2 },
      ],
    })
    .respond("ec2", "DescribeVpcs", {
      vpcSet: [{ vpcId: "vpc-0aaa", cidrBlock: "10.0.0.0/16", isDefault: false }],
    })
    .respond("ec2", "DescribeSubnets", {
      subnetSet: [{ subnetId: "subnet-0aaa", vpcId: "vpc-0aaa", cidrBlock: "10.0.1.0/24" }],
    })
    .respond("ec2", "DescribeRouteTables", {
      routeTableSet: [
        {
          routeTableId: "rtb-0main",
          vpcId: "vpc-0aaa",
          associationSet: [{ main: true, routeTableId: "rtb-0main" }],
          routeSet: [{ destinationCidrBlock: "10.0.0.0/16", gatewayId: "local", state: "active" }],
        },
      ],
    })
    .respond("ec2", "DescribeInternetGateways", {
      internetGatewaySet: [
        {
          internetGatewayId: "igw-0aaa",
          attachmentSet: [{ vpcId: "vpc-0aaa", state: "available" }],
        },
      ],
    })
    .respond("ec2", "DescribeNatGateways", {
      natGatewaySet: [{ natGatewayId: "nat-0aaa", vpcId: "vpc-0aaa", state: "available" }],
    })
    .respond("ec2", "DescribeVpcPeeringConnections", {
      vpcPeeringConnectionSet: [{ vpcPeeringConnectionId: "pcx-0aaa", status: { code: "active" } }],
    })
    .respond("ec2", "DescribeSecurityGroups", {
      securityGroupInfo: [{ groupId: "sg-0aaa", groupName: "web", vpcId: "vpc-0aaa" }],
    });
  scriptDiscovery(fake, "123456789012", ["us-east-1", "eu-west-1"]);
}

/** The ids scriptEc2Estate puts in each region, by EC2 resource type. */
export const EC2_ESTATE_IDS = {
  ec2_instance: ["i-0aaa", "i-0bbb"],
  launch_template: ["lt-0aaa"],
  vpc: ["vpc-0aaa"],
  subnet: ["subnet-0aaa"],
  route_table: ["rtb-0main"],
  internet_gateway: ["igw-0aaa"],
  nat_gateway: ["nat-0aaa"],
  vpc_peering: ["pcx-0aaa"],
  security_group: ["sg-0aaa"],
} as const;
