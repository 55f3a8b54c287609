/** DescribeNetworkInterfaces output, as the SDK returns it. */
import { DescribeNetworkInterfacesCommand, type NetworkInterface } from "@aws-sdk/client-ec2";
import { on } from "../../../support/aws-answers.ts";
import { defineAwsFixture } from "../../../support/aws-fixture.ts";

/**
 * An interface a service attached to an instance as its second one (device index 1), with
 * a public address and IPv6: every field set.
 */
export const instanceInterface: NetworkInterface = {
  NetworkInterfaceId: "eni-0abc1234",
  InterfaceType: "interface",
  Description: "aws-K8S-i-0abc1234def567890",
  SubnetId: "subnet-0aaa1111",
  VpcId: "vpc-0abc1234",
  AvailabilityZone: "us-east-1a",
  Groups: [
    { GroupId: "sg-0app0000000000001", GroupName: "app" },
    { GroupId: "sg-0ssh0000000000002", GroupName: "ssh" },
  ],
  PrivateIpAddress: "10.0.1.20",
  PrivateIpAddresses: [
    { PrivateIpAddress: "10.0.1.20", Primary: true },
    { PrivateIpAddress: "10.0.1.21", Primary: false },
  ],
  Ipv6Addresses: [{ Ipv6Address: "2600:1f18::1" }],
  Association: { PublicIp: "3.210.1.1", IpOwnerId: "amazon" },
  Attachment: {
    AttachmentId: "eni-attach-0abc1234",
    InstanceId: "i-0abc1234def567890",
    InstanceOwnerId: "123456789012",
    DeviceIndex: 1,
    Status: "attached",
  },
  RequesterId: "AIDAEXAMPLEREQUESTER",
  RequesterManaged: true,
  Status: "in-use",
  MacAddress: "0e:11:22:33:44:55",
  OwnerId: "123456789012",
  SourceDestCheck: true,
  TagSet: [{ Key: "Name", Value: "web-1-eth0" }],
};

/** A Lambda function's interface: requester-managed, of type lambda, attached to no instance. */
export const lambdaInterface: NetworkInterface = {
  NetworkInterfaceId: "eni-0lambda0001",
  InterfaceType: "lambda",
  Description: "AWS Lambda VPC ENI-orders-7f3e",
  SubnetId: "subnet-0aaa1111",
  VpcId: "vpc-0abc1234",
  Groups: [{ GroupId: "sg-0app0000000000001" }],
  PrivateIpAddress: "10.0.1.30",
  RequesterId: "AROAEXAMPLELAMBDA:orders",
  RequesterManaged: true,
  Status: "in-use",
  OwnerId: "123456789012",
};

/** An application load balancer node's interface. */
export const albInterface: NetworkInterface = {
  NetworkInterfaceId: "eni-0alb00000001",
  InterfaceType: "interface",
  Description: "ELB app/web/50dc6c495c0c9188",
  SubnetId: "subnet-0pub1",
  VpcId: "vpc-0abc1234",
  Attachment: { InstanceOwnerId: "amazon-elb", DeviceIndex: 1, Status: "attached" },
  RequesterId: "amazon-elb",
  RequesterManaged: true,
  Status: "in-use",
};

/** An entry without an id. */
export const anonymousInterface: NetworkInterface = { VpcId: "vpc-0abc1234" };

export default defineAwsFixture({
  type: "network_interface",
  listing: DescribeNetworkInterfacesCommand,
  full: {
    id: "eni-0abc1234",
    answers: [
      on(DescribeNetworkInterfacesCommand).answer({
        NetworkInterfaces: [instanceInterface, lambdaInterface],
      }),
    ],
  },
  estate: {
    id: (r, k) => `eni-${r.hex(k)}`,
    // Interface i is instance i's primary interface.
    answers: (r) => [
      on(DescribeNetworkInterfacesCommand).pages(
        {
          items: "NetworkInterfaces",
          pageSize: "MaxResults",
          max: 1000,
          inputToken: "NextToken",
          outputToken: "NextToken",
        },
        r.ids("network_interface").map(
          (NetworkInterfaceId, i): NetworkInterface => ({
            NetworkInterfaceId,
            InterfaceType: "interface",
            SubnetId: r.id("subnet", i) || undefined,
            VpcId: r.id("vpc", i) || undefined,
            AvailabilityZone: r.zone(i),
            Groups:
              r.id("security_group", i) === "" ? [] : [{ GroupId: r.id("security_group", i) }],
            PrivateIpAddress: `10.${r.index}.${(i >> 8) & 255}.${i & 255}`,
            Attachment:
              r.id("ec2_instance", i) === ""
                ? undefined
                : { InstanceId: r.id("ec2_instance", i), DeviceIndex: 0, Status: "attached" },
            RequesterManaged: false,
            Status: "in-use",
            OwnerId: r.accountId,
          }),
        ),
      ),
    ],
    minimumCalls: (r) => [
      [DescribeNetworkInterfacesCommand, r.pages(DescribeNetworkInterfacesCommand)],
    ],
  },
});
