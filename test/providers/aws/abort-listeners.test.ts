/**
 * Many partitions listed at once share the scan's one abort signal, and every SDK call in
 * flight holds an `abort` listener on the signal it was given. Node warns
 * (MaxListenersExceededWarning) past 10 listeners on one signal, which in a real scan is
 * noise, not a leak: the provider bounds the listeners per signal it hands out instead.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createAwsProvider } from "../../../src/providers/aws/provider.ts";
import { planPartitions } from "../../../src/scanner/scanner.ts";
import { scriptAwsEstate } from "../../support/aws-estate.ts";
import { FakeAws, fakeProviderOptions } from "../../support/fake-aws.ts";

let fake: FakeAws;
beforeEach(async () => {
  fake = await FakeAws.start();
});
afterEach(() => fake.close());

describe("the AWS provider's abort listeners", () => {
  it("lists every partition at once on one shared signal without a process warning", async () => {
    // Calls wait, so those of all partitions overlap on the shared signal.
    fake.delayMs = 30;
    const estate = await scriptAwsEstate(fake, {
      regions: ["us-east-1", "eu-west-1"],
      perType: 3,
      counts: { s3_bucket: 20, iam_role: 20 },
      regionsGiven: true,
    });
    const provider = createAwsProvider(fakeProviderOptions(fake, { regions: estate.regions }));
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on("warning", onWarning);
    try {
      const signal = new AbortController().signal;
      const planned = planPartitions(await provider.units(signal));
      expect(planned.length).toBe(estate.partitions.length);
      const counts = await Promise.all(
        planned.map(async ({ key }) => {
          let n = 0;
          for await (const page of provider.list(key, signal)) n += page.length;
          return n;
        }),
      );
      expect(counts.reduce((a, b) => a + b, 0)).toBe(
        estate.partitions.reduce((a, p) => a + p.ids.length, 0),
      );
      // Warnings are emitted on the next tick.
      await new Promise((r) => setImmediate(r));
      // The SDK's own notice that its releases from 2027 need Node 22 is no scan's doing.
      const ours = warnings.filter((w) => !w.message.startsWith("NodeVersionSupportWarning"));
      expect(ours.map((w) => `${w.name}: ${w.message}`)).toEqual([]);
    } finally {
      process.off("warning", onWarning);
      await provider.close();
    }
  });
});
