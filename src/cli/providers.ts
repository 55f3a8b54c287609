/** Builds the configured provider: AWS, or the synthetic sample estate. */
import type { LoadedConfig } from "../config/load.ts";
import type { AwsProviderOptions } from "../providers/aws/provider.ts";
import type { Provider } from "../providers/provider.ts";
import type { Logger } from "./log.ts";

/**
 * Creates the provider for scan number `cycle` of this process (0 for the first). The
 * sample estate advances one scan of churn per cycle, so a daemon on the sample provider
 * shows creations, modifications and disappearances; AWS ignores the cycle.
 */
export async function createProvider(
  config: LoadedConfig,
  cycle: number,
  log: Logger,
): Promise<Provider> {
  const v = config.values;
  if (v.provider === "sample") {
    const { createSampleProvider } = await import("../providers/sample/index.ts");
    return createSampleProvider({
      resources: v.sampleResources,
      seed: v.sampleSeed,
      scan: v.sampleScan + cycle,
      churn: v.sampleChurn,
      failTypes: v.sampleFail,
    });
  }
  // The AWS provider runs on a thread of its own (src/providers/thread/host.ts): the SDK
  // parses each answer in one go, which on this thread would hold the event loop. Only
  // that thread loads the SDK clients (about 70 MiB of resident memory), which a sample
  // scan (demo, bench, load test) has no use for.
  const { moduleBeside, startProviderThread } = await import("../providers/thread/host.ts");
  const externalId = v.externalId;
  const options: AwsProviderOptions = {
    ...(v.regions.length > 0 ? { regions: v.regions } : {}),
    assumeRoles: v.assumeRoles.map((roleArn) => ({
      roleArn,
      ...(externalId !== undefined ? { externalId } : {}),
    })),
    ...(v.orgRole === undefined
      ? {}
      : {
          organization: {
            roleName: v.orgRole,
            ...(v.orgInclude.length > 0 ? { include: v.orgInclude } : {}),
            exclude: v.orgExclude,
            ...(externalId !== undefined ? { externalId } : {}),
          },
        }),
    maxAttempts: v.awsMaxAttempts,
  };
  return startProviderThread({
    module: moduleBeside(import.meta.url, "../providers/aws/provider"),
    factory: "createAwsProvider",
    options,
    log: (level, message, fields) => log[level](message, { provider: "aws", ...fields }),
  });
}
