/**
 * An interrupted scan (SIGTERM) aborts its signal and must not wait for the AWS calls in
 * flight. Every SDK call of every collector, sent directly or through an SDK paginator,
 * gets the partition's signal: checked call by call on the stubs (every call each full
 * fixture makes), and through real SDK clients against the fake endpoint, where a listing
 * whose call ignored the signal would go on waiting for the delayed answer.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { RESOURCE_TYPES } from "../../../src/contract/resource-types.ts";
import { createAwsProvider } from "../../../src/providers/aws/provider.ts";
import { ALL_COLLECTORS } from "../../../src/providers/aws/registry.ts";
import { planPartitions } from "../../../src/scanner/scanner.ts";
import { scriptAwsEstate } from "../../support/aws-estate.ts";
import { loadAwsFixtures } from "../../support/aws-fixture.ts";
import { FakeAws, fakeProviderOptions } from "../../support/fake-aws.ts";
import { GLOBAL, observe, REGIONAL, testContext } from "./collectors/harness.ts";
import { type AwsMocks, installOnMocks, mockAws, resetAws } from "./support/mocks.ts";

/** The signal each call the stubs received was sent with, as `Client.Command: signal`. */
function signalsOfCalls(mocks: AwsMocks): Array<{ call: string; signal: unknown }> {
  return Object.entries(mocks).flatMap(([client, stub]) =>
    stub.calls().map((call) => {
      // The stubs type `send` by its command alone; the options are its second argument.
      const options = (call.args as readonly unknown[])[1] as { abortSignal?: unknown } | undefined;
      return {
        call: `${client}.${(call.args[0] as object).constructor.name}`,
        signal: options?.abortSignal,
      };
    }),
  );
}

describe("every AWS call of every collector honours the partition's signal", () => {
  // The stubs replace `send` on every client instance: restored before the real SDK test.
  let aws: AwsMocks;
  beforeAll(() => {
    aws = mockAws();
  });
  afterEach(() => resetAws(aws));
  afterAll(() => {
    for (const stub of Object.values(aws)) stub.restore();
  });

  it.each(ALL_COLLECTORS.map((c) => [c.type, c] as const))(
    "%s sends every call with the context's signal",
    async (type, collector) => {
      installOnMocks(aws, (await loadAwsFixtures([type]))[type].full.answers);
      const ctx = testContext(RESOURCE_TYPES[type].scope === "global" ? GLOBAL : REGIONAL);
      await observe(collector, ctx);
      const calls = signalsOfCalls(aws);
      expect(calls.length).toBeGreaterThan(0);
      expect(calls.filter((c) => c.signal !== ctx.signal).map((c) => c.call)).toEqual([]);
    },
  );
});

describe("an aborted scan through real SDK clients", () => {
  it("stops every partition's call in flight when the scan aborts", async () => {
    const fake = await FakeAws.start();
    const estate = await scriptAwsEstate(fake, {
      regions: ["us-east-1"],
      perType: 1,
      regionsGiven: true,
    });
    const provider = createAwsProvider(
      fakeProviderOptions(fake, { regions: estate.regions, maxAttempts: 1 }),
    );
    try {
      const scan = new AbortController();
      const planned = planPartitions(await provider.units(scan.signal));
      expect(planned.length).toBe(ALL_COLLECTORS.length);
      // Answered only after 5 s: a listing that ends within 2 s of the abort was aborted.
      fake.delayMs = 5_000;
      const before = fake.calls().length;
      const outcomes = planned.map(({ key }) =>
        (async () => {
          for await (const _page of provider.list(key, scan.signal)) {
            // The first call never answers in time.
          }
          return "listed";
        })().then(
          (outcome) => outcome,
          (err: unknown) => `rejected: ${err instanceof Error ? err.name : String(err)}`,
        ),
      );
      // Every partition's first call has reached the fake and waits there.
      while (fake.calls().length - before < planned.length) {
        await new Promise((r) => setTimeout(r, 10));
      }
      scan.abort(new Error("scan interrupted"));
      const deadline = new Promise<string>((r) => setTimeout(() => r("still waiting"), 2_000));
      const settled = await Promise.all(outcomes.map((o) => Promise.race([o, deadline])));
      const byType = Object.fromEntries(
        planned.map(({ key }, i) => [key.resourceType, settled[i]]),
      );
      const stillWaiting = Object.entries(byType).filter(([, o]) => !o?.startsWith("rejected"));
      expect(stillWaiting).toEqual([]);
    } finally {
      await provider.close();
      await fake.close();
    }
  });
});
