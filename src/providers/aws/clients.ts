/**
 * SDK clients per unit, created lazily, and the per-scan count of API calls.
 *
 * Every client is built from the same few settings: the unit's region and the account's
 * credentials provider (shared by all clients of the account, so credentials are resolved
 * and refreshed once), adaptive retries with a configurable number of attempts, and an
 * explicit endpoint only when one is configured. Leaving `endpoint` unset is what lets the
 * SDK honour `AWS_ENDPOINT_URL`, `AWS_ENDPOINT_URL_<SERVICE>` and profile endpoints.
 *
 * The counting middleware sits in the deserialize step, inside the retry loop, so it sees
 * every attempt: a throttled attempt that the SDK retries is one call and one throttle.
 * It also tags an error with the operation that threw it, so a failed partition names the
 * call (`describe instances in ...`) without the collector writing any error code.
 *
 * The SDK's logger middleware is removed from every client: with no logger configured it
 * still copies each answer through the sensitive-data filter to hand it to a logger that
 * drops it, which for a page of a thousand instances is a large share of a scan's CPU
 * (bench 4's profile). Elava logs its calls itself (the counts, the errors).
 */
import { EC2Client, type EC2ClientConfig } from "@aws-sdk/client-ec2";
import { OrganizationsClient } from "@aws-sdk/client-organizations";
import type { S3Client } from "@aws-sdk/client-s3";
import { STSClient } from "@aws-sdk/client-sts";
import { isThrottle, tagOperation } from "./errors.ts";
import { AWS_SERVICES, type AwsClients, type AwsService, SERVICES } from "./services.ts";

/** A credentials provider as the SDK clients take it. */
export type AwsCredentials = NonNullable<EC2ClientConfig["credentials"]>;

/** Settings shared by every client of a scan. */
export interface ClientSettings {
  /** Attempts per call, the first included (SDK `maxAttempts`). */
  readonly maxAttempts: number;
  /** SDK retry mode; `adaptive` also rate-limits the client after throttling. */
  readonly retryMode: "adaptive" | "standard";
  /** An endpoint for every service (a fake or AWS-compatible endpoint); unset honours the SDK's own configuration. */
  readonly endpoint?: string | undefined;
}

/**
 * Counts API calls and throttled answers by operation, `<service>:<Operation>` with the
 * service's key in SERVICES (`ec2:DescribeInstances`, `elbv2:DescribeTargetGroups`).
 */
export class ApiCallCounter {
  readonly #calls = new Map<string, number>();
  readonly #throttles = new Map<string, number>();

  /** Records one attempt of an operation, and whether AWS throttled it. */
  record(operation: string, throttled: boolean): void {
    this.#calls.set(operation, (this.#calls.get(operation) ?? 0) + 1);
    if (throttled) this.#throttles.set(operation, (this.#throttles.get(operation) ?? 0) + 1);
  }

  /** Attempts per operation (retries included). */
  calls(): ReadonlyMap<string, number> {
    return new Map(this.#calls);
  }

  /** Throttled attempts per operation. */
  throttles(): ReadonlyMap<string, number> {
    return new Map(this.#throttles);
  }

  /** The number of attempts of all operations. */
  total(): number {
    let n = 0;
    for (const v of this.#calls.values()) n += v;
    return n;
  }
}

type Next = (args: unknown) => Promise<unknown>;
interface Stack {
  remove(name: string): boolean;
  add(
    mw: (next: Next, context: { commandName?: string }) => Next,
    options: { step: "deserialize"; name: string; priority: "high" },
  ): void;
}

/**
 * A client plugin counting every attempt of `service` (its key in SERVICES) in `counter` and
 * tagging errors with their operation; for clients the SDK builds itself (AssumeRole).
 */
export function countingPlugin(service: string, counter: ApiCallCounter) {
  return {
    applyToStack(stack: unknown): void {
      (stack as Stack).add(
        (next, context) => async (args) => {
          const operation = (context.commandName ?? "Unknown").replace(/Command$/, "");
          try {
            const out = await next(args);
            counter.record(`${service}:${operation}`, false);
            return out;
          } catch (err) {
            counter.record(`${service}:${operation}`, isThrottle(err));
            tagOperation(err, operation);
            throw err;
          }
        },
        { step: "deserialize", name: "elavaCountCalls", priority: "high" },
      );
    },
  };
}

/** Installs the counting plugin on a client of `service` and drops the SDK's logging (see above). */
export function countCalls<C extends { middlewareStack: unknown }>(
  client: C,
  service: string,
  counter: ApiCallCounter,
): C {
  (client.middlewareStack as Stack).remove("loggerMiddleware");
  countingPlugin(service, counter).applyToStack(client.middlewareStack);
  return client;
}

/**
 * Path-style addressing (`https://host/bucket/key`) whenever S3 calls go to an endpoint that
 * is not AWS's: LocalStack, MinIO and emulators do not serve bucket names as host names,
 * and a dotted bucket name cannot be one. An endpoint given to Elava sets it when the client
 * is made. One from the SDK's own configuration (AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, a
 * profile's endpoint_url or services section) is resolved by the SDK only when a call is
 * made, so this middleware asks the client's own resolver (`serviceConfiguredEndpoint`, the
 * one the call itself uses; its type is hidden) before the first call, and turns
 * path-style on when it finds one.
 */
function pathStyleOnConfiguredEndpoint(client: S3Client): void {
  const config = client.config as typeof client.config & {
    serviceConfiguredEndpoint?: () => Promise<string | undefined>;
  };
  let decided: Promise<void> | undefined;
  client.middlewareStack.add(
    (next) => async (args) => {
      decided ??= (async () => {
        if ((await config.serviceConfiguredEndpoint?.()) !== undefined) {
          config.forcePathStyle = true;
        }
      })();
      await decided;
      return next(args);
    },
    { step: "initialize", name: "elavaPathStyleOnConfiguredEndpoint" },
  );
}

/** What every client of one account in one region is built from. */
export interface ClientTarget {
  /** The region the clients call; for `global` units the partition's home region. */
  readonly region: string;
  readonly credentials: AwsCredentials;
}

function baseConfig(target: ClientTarget, settings: ClientSettings) {
  return {
    region: target.region,
    credentials: target.credentials,
    maxAttempts: settings.maxAttempts,
    retryMode: settings.retryMode,
    ...(settings.endpoint === undefined ? {} : { endpoint: settings.endpoint }),
  };
}

/** An STS client of the target (identity checks, assuming roles), counted like the others. */
export function createStsClient(
  target: ClientTarget,
  settings: ClientSettings,
  counter: ApiCallCounter,
): STSClient {
  return countCalls(new STSClient(baseConfig(target, settings)), "sts", counter);
}

/** An Organizations client of the target (the organisation's accounts), counted like the others. */
export function createOrganizationsClient(
  target: ClientTarget,
  settings: ClientSettings,
  counter: ApiCallCounter,
): OrganizationsClient {
  return countCalls(
    new OrganizationsClient(baseConfig(target, settings)),
    "organizations",
    counter,
  );
}

/** An EC2 client of the target (region discovery), counted like the others. */
export function createEc2Client(
  target: ClientTarget,
  settings: ClientSettings,
  counter: ApiCallCounter,
): EC2Client {
  return countCalls(new EC2Client(baseConfig(target, settings)), "ec2", counter);
}

/**
 * What a service's clients need besides the shared settings. S3: redirects followed to a
 * bucket's own region, and path-style addressing on an endpoint given to Elava (on one from
 * the SDK's own configuration, see pathStyleOnConfiguredEndpoint).
 */
function serviceConfig(service: AwsService, settings: ClientSettings): object {
  if (service === "s3") {
    return {
      followRegionRedirects: true,
      ...(settings.endpoint === undefined ? {} : { forcePathStyle: true }),
    };
  }
  return {};
}

/** A counted client of a service (see SERVICES), for one target. */
function createServiceClient<S extends AwsService>(
  service: S,
  target: ClientTarget,
  settings: ClientSettings,
  counter: ApiCallCounter,
): AwsClients[S] {
  // Every client class takes the same base configuration; TypeScript cannot call a union
  // of their constructors, hence the one cast.
  const Client = SERVICES[service].client as unknown as new (config: object) => AwsClients[S];
  const client = new Client({
    ...baseConfig(target, settings),
    ...serviceConfig(service, settings),
  });
  if (service === "s3" && settings.endpoint === undefined) {
    pathStyleOnConfiguredEndpoint(client as S3Client);
  }
  return countCalls(client, service, counter);
}

/** The clients of one unit, each created on first use; `destroy` closes those created. */
export function createAwsClients(
  target: ClientTarget,
  settings: ClientSettings,
  counter: ApiCallCounter,
): AwsClients & { destroy(): void } {
  const made = new Map<AwsService, { destroy(): void }>();
  const clients = {
    destroy() {
      for (const c of made.values()) c.destroy();
      made.clear();
    },
  };
  for (const service of AWS_SERVICES) {
    Object.defineProperty(clients, service, {
      enumerable: true,
      get() {
        let client = made.get(service);
        if (client === undefined) {
          client = createServiceClient(service, target, settings, counter);
          made.set(service, client);
        }
        return client;
      },
    });
  }
  return clients as AwsClients & { destroy(): void };
}
