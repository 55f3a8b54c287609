/** DescribeAddresses output, as the SDK returns it. */
import { type Address, DescribeAddressesCommand } from "@aws-sdk/client-ec2";
import { on } from "../../../support/aws-answers.ts";
import { defineAwsFixture } from "../../../support/aws-fixture.ts";

/** An address associated with an instance, through its primary interface: every field set. */
export const attachedAddress: Address = {
  AllocationId: "eipalloc-0abc1234",
  PublicIp: "3.210.1.1",
  Domain: "vpc",
  InstanceId: "i-0abc1234def567890",
  NetworkInterfaceId: "eni-0abc1234",
  AssociationId: "eipassoc-0abc1234",
  PrivateIpAddress: "10.0.1.10",
  NetworkInterfaceOwnerId: "123456789012",
  PublicIpv4Pool: "amazon",
  NetworkBorderGroup: "us-east-1",
  Tags: [{ Key: "Name", Value: "bastion-ip" }],
};

/** An address allocated and associated with nothing: no instance, interface or private IP. */
export const idleAddress: Address = {
  AllocationId: "eipalloc-0idle0001",
  PublicIp: "3.210.1.2",
  Domain: "vpc",
  PublicIpv4Pool: "amazon",
  NetworkBorderGroup: "us-east-1",
};

/** An EC2-Classic address: no allocation id. */
export const classicAddress: Address = { PublicIp: "54.1.2.3", Domain: "standard" };

export default defineAwsFixture({
  type: "elastic_ip",
  listing: DescribeAddressesCommand,
  full: {
    id: "eipalloc-0abc1234",
    answers: [on(DescribeAddressesCommand).answer({ Addresses: [attachedAddress, idleAddress] })],
  },
  estate: {
    id: (r, k) => `eipalloc-${r.hex(k)}`,
    // Even addresses are an instance's, odd ones an interface's (a NAT gateway's, say).
    answers: (r) => [
      on(DescribeAddressesCommand).answer({
        Addresses: r.ids("elastic_ip").map(
          (AllocationId, i): Address => ({
            AllocationId,
            PublicIp: `198.51.${100 + r.index}.${i & 255}`,
            Domain: "vpc",
            InstanceId: i % 2 === 0 ? r.id("ec2_instance", i) || undefined : undefined,
            NetworkInterfaceId: i % 2 === 1 ? r.id("network_interface", i) || undefined : undefined,
            AssociationId: `eipassoc-${r.hex(i)}`,
            PublicIpv4Pool: "amazon",
            NetworkBorderGroup: r.region,
          }),
        ),
      }),
    ],
    // DescribeAddresses has no pages: one call answers every address of the region.
    minimumCalls: () => [[DescribeAddressesCommand, 1]],
  },
});
