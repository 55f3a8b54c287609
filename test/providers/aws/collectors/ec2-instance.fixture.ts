/** DescribeInstances output, as the SDK returns it. */
import { DescribeInstancesCommand, type Instance, type Reservation } from "@aws-sdk/client-ec2";
import { on } from "../../../support/aws-answers.ts";
import { defineAwsFixture, range, sdkTags } from "../../../support/aws-fixture.ts";

/** An EKS node launched by an ASG from a launch template: every field the mapping reads. */
export const eksNode: Instance = {
  InstanceId: "i-0abc1234def567890",
  InstanceType: "m6i.large",
  State: { Code: 16, Name: "running" },
  PrivateIpAddress: "10.0.1.23",
  PublicIpAddress: "54.210.1.2",
  PrivateDnsName: "ip-10-0-1-23.ec2.internal",
  PublicDnsName: "ec2-54-210-1-2.compute-1.amazonaws.com",
  VpcId: "vpc-0abc1234",
  SubnetId: "subnet-0aaa1111",
  SecurityGroups: [
    { GroupId: "sg-0node0001", GroupName: "eks-node" },
    { GroupId: "sg-0cluster01", GroupName: "eks-cluster" },
  ],
  Placement: { AvailabilityZone: "us-east-1a", Tenancy: "default" },
  ImageId: "ami-0eks1234567890abc",
  IamInstanceProfile: {
    Arn: "arn:aws:iam::123456789012:instance-profile/eks-node-profile",
    Id: "AIPAEXAMPLE",
  },
  LaunchTime: new Date("2026-03-04T05:06:07Z"),
  Architecture: "x86_64",
  Tags: [
    { Key: "Name", Value: "prod-workers-node" },
    { Key: "aws:autoscaling:groupName", Value: "eks-workers-20260304" },
    { Key: "aws:ec2launchtemplate:id", Value: "lt-0abc1234def567890" },
    { Key: "aws:ec2launchtemplate:version", Value: "7" },
    { Key: "eks:cluster-name", Value: "prod" },
    { Key: "eks:nodegroup-name", Value: "workers" },
  ],
};

/** A stopped instance with only the fields AWS always returns. */
export const bareInstance: Instance = {
  InstanceId: "i-0bare000000000001",
  InstanceType: "t3.micro",
  State: { Code: 80, Name: "stopped" },
};

/** An entry without InstanceId: cannot be published. */
export const anonymousInstance: Instance = { InstanceType: "t3.micro" };

export default defineAwsFixture({
  type: "ec2_instance",
  listing: DescribeInstancesCommand,
  full: {
    id: "i-0abc1234def567890",
    answers: [
      on(DescribeInstancesCommand).answer({
        Reservations: [{ ReservationId: "r-0123", OwnerId: "123456789012", Instances: [eksNode] }],
      }),
    ],
  },
  estate: {
    id: (r, k) => `i-${r.hex(k)}`,
    // The instance's tags name its ASG, EKS cluster and node group and launch template, as
    // AWS tags them.
    answers: (r) => [
      on(DescribeInstancesCommand).pages(
        {
          items: "Reservations",
          pageSize: "MaxResults",
          max: 1000,
          inputToken: "NextToken",
          outputToken: "NextToken",
        },
        range(r.count("ec2_instance")).map((i): Reservation => {
          const tags: Record<string, string> = { Name: `web-${i}` };
          const asg = r.id("autoscaling_group", i);
          if (asg !== "") tags["aws:autoscaling:groupName"] = asg;
          const ng = r.id("eks_node_group", i);
          if (ng !== "") {
            const [cluster = "", nodegroup = ""] = ng.split("/");
            tags["eks:cluster-name"] = cluster;
            tags["eks:nodegroup-name"] = nodegroup;
          }
          const lt = r.id("launch_template", i);
          if (lt !== "") {
            tags["aws:ec2launchtemplate:id"] = lt;
            tags["aws:ec2launchtemplate:version"] = "1";
          }
          const group = r.id("security_group", i);
          return {
            ReservationId: `r-${r.hex(i)}`,
            OwnerId: r.accountId,
            Instances: [
              {
                InstanceId: r.id("ec2_instance", i),
                ImageId: "ami-0123456789abcdef0",
                State: { Code: 16, Name: "running" },
                PrivateDnsName: `ip-10-${r.index}-${i >> 8}-${i & 255}.${r.region}.compute.internal`,
                PrivateIpAddress: `10.${r.index}.${i >> 8}.${i & 255}`,
                InstanceType: "m6i.large",
                LaunchTime: r.epoch,
                Placement: { AvailabilityZone: r.zone(i) },
                SubnetId: r.id("subnet", i) || undefined,
                VpcId: r.id("vpc", i) || undefined,
                SecurityGroups:
                  group === "" ? undefined : [{ GroupId: group, GroupName: `sg-${i}` }],
                Architecture: "x86_64",
                Tags: sdkTags(tags),
              },
            ],
          };
        }),
      ),
    ],
    minimumCalls: (r) => [[DescribeInstancesCommand, r.pages(DescribeInstancesCommand)]],
  },
});
