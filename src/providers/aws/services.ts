/**
 * The AWS services the collectors call, one line each: the SDK client, the prefix of the
 * service's IAM actions, and the default cap on concurrent per-resource calls of one
 * account and region (modest, below the APIs' burst limits). Everything per service is
 * derived from this table: the clients of a unit (`ctx.clients.<service>`), the caps, the
 * `<service>:<Operation>` keys of the API-call counts, and the fake AWS endpoint of the
 * tests, which learns each client's wire protocol from its class.
 *
 * A service is keyed by its client, not by its IAM prefix: classic ELB and ELBv2 share
 * the prefix `elasticloadbalancing` and the operation names, not the API.
 */
import { AutoScalingClient } from "@aws-sdk/client-auto-scaling";
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { EC2Client } from "@aws-sdk/client-ec2";
import { ECSClient } from "@aws-sdk/client-ecs";
import { EFSClient } from "@aws-sdk/client-efs";
import { EKSClient } from "@aws-sdk/client-eks";
import { ElasticLoadBalancingClient } from "@aws-sdk/client-elastic-load-balancing";
import { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { IAMClient } from "@aws-sdk/client-iam";
import { LambdaClient } from "@aws-sdk/client-lambda";
import { RDSClient } from "@aws-sdk/client-rds";
import { S3Client } from "@aws-sdk/client-s3";
import { SNSClient } from "@aws-sdk/client-sns";
import { SQSClient } from "@aws-sdk/client-sqs";

/** Every service of the collectors, sorted by key. */
export const SERVICES = {
  autoscaling: { client: AutoScalingClient, iamPrefix: "autoscaling", concurrency: 4 },
  cloudwatch: { client: CloudWatchClient, iamPrefix: "cloudwatch", concurrency: 8 },
  ec2: { client: EC2Client, iamPrefix: "ec2", concurrency: 8 },
  ecs: { client: ECSClient, iamPrefix: "ecs", concurrency: 8 },
  efs: { client: EFSClient, iamPrefix: "elasticfilesystem", concurrency: 4 },
  eks: { client: EKSClient, iamPrefix: "eks", concurrency: 8 },
  elb: {
    client: ElasticLoadBalancingClient,
    iamPrefix: "elasticloadbalancing",
    concurrency: 8,
  },
  elbv2: {
    client: ElasticLoadBalancingV2Client,
    iamPrefix: "elasticloadbalancing",
    concurrency: 8,
  },
  iam: { client: IAMClient, iamPrefix: "iam", concurrency: 8 },
  lambda: { client: LambdaClient, iamPrefix: "lambda", concurrency: 8 },
  rds: { client: RDSClient, iamPrefix: "rds", concurrency: 4 },
  s3: { client: S3Client, iamPrefix: "s3", concurrency: 16 },
  sns: { client: SNSClient, iamPrefix: "sns", concurrency: 8 },
  sqs: { client: SQSClient, iamPrefix: "sqs", concurrency: 8 },
} as const;

/** A service of the collectors, e.g. `ec2` or `elbv2`. */
export type AwsService = keyof typeof SERVICES;

/** Every service key, sorted. */
export const AWS_SERVICES = Object.keys(SERVICES) as AwsService[];

/** The SDK client of each service: `AwsClients["ec2"]` is an `EC2Client`. */
export type AwsClients = {
  readonly [S in AwsService]: InstanceType<(typeof SERVICES)[S]["client"]>;
};
