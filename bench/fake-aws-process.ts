/**
 * The fake AWS endpoint of bench 4 in a process of its own, so that building its answers
 * (XML of a thousand instances per page) does not take CPU from the scan being measured.
 * Prints `url <url>` when it listens, and exits when its standard input closes.
 *
 *   node --import tsx bench/fake-aws-process.ts <delayMs> [<shape JSON>]
 */
import { FakeAws } from "../test/support/fake-aws.ts";
import { DEFAULT_SHAPE, type EstateShape, scriptEstate } from "./fake-estate.ts";

const delayMs = Number(process.argv[2] ?? "0");
const shape =
  process.argv[3] === undefined ? DEFAULT_SHAPE : (JSON.parse(process.argv[3]) as EstateShape);
const fake = await FakeAws.start();
scriptEstate(fake, shape);
fake.delayMs = delayMs;
process.stdout.write(`url ${fake.url}\n`);
process.stdin.resume();
process.stdin.on("end", () => {
  void fake.close().then(() => process.exit(0));
});
