/**
 * The fake AWS endpoint of bench 4 in a process of its own, so that building its answers
 * (XML of a thousand instances per page) does not take CPU from the scan being measured.
 * It serves the estate of test/support/aws-estate.ts from the options given, prints
 * `estate <JSON of FakeEstateSummary>` (what it scripted, and the fewest calls a scan of
 * it can make) and then `url <url>` when it listens, and exits when its standard input
 * closes.
 *
 *   node --import tsx bench/fake-aws-process.ts <delayMs> <AwsEstateOptions JSON>
 */
import { type AwsEstateOptions, scriptAwsEstate } from "../test/support/aws-estate.ts";
import { FakeAws } from "../test/support/fake-aws.ts";

/** What the process says it scripted: resources per partition, minimum calls per operation. */
export interface FakeEstateSummary {
  readonly partitions: readonly {
    readonly resourceType: string;
    readonly region: string;
    readonly resources: number;
  }[];
  readonly minimumCalls: Readonly<Record<string, number>>;
}

const delayMs = Number(process.argv[2] ?? "0");
const options = JSON.parse(process.argv[3] ?? "null") as AwsEstateOptions | null;
if (options === null) {
  throw new Error(
    "usage: fake-aws-process.ts <delayMs> <AwsEstateOptions JSON>; the estate options are missing",
  );
}
const fake = await FakeAws.start();
const estate = await scriptAwsEstate(fake, options);
fake.delayMs = delayMs;
fake.cacheAnswers = true;
const summary: FakeEstateSummary = {
  partitions: estate.partitions.map((p) => ({
    resourceType: p.resourceType,
    region: p.region,
    resources: p.ids.length,
  })),
  minimumCalls: Object.fromEntries(estate.minimumCalls),
};
process.stdout.write(`estate ${JSON.stringify(summary)}\nurl ${fake.url}\n`);
process.stdin.resume();
process.stdin.on("end", () => {
  void fake.close().then(() => process.exit(0));
});
