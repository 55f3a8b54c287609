import { describe, expect, it } from "vitest";
import {
  AUTO_TIMEOUT_MS,
  apiTimeoutFor,
  StreamReadError,
  StreamReader,
  subjectsOverlap,
} from "../../src/consumer/reader.ts";
import { ConfigError } from "../../src/errors.ts";
import { useNatsServer } from "../support/nats-server.ts";
import { createStream, partition, publishScan, vpc } from "./publish.ts";

const nats = useNatsServer();

describe("StreamReader", () => {
  it("names the stream and the setting when the stream does not exist", async () => {
    const err = await StreamReader.open(nats.nc, { stream: "MISSING", prefix: "missing" }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toBe(
      "stream MISSING does not exist on this NATS server: check --stream (ELAVA_STREAM), and that a scan or 'elava stream' created it",
    );
  });

  it("says what the stream holds, not that its name is wrong, when nothing is under the prefix", async () => {
    await createStream(nats.nc, "HOLDS", "holds");
    await publishScan(
      nats.nc,
      [{ partition: partition("vpc"), resources: [vpc("vpc-1")] }],
      "holds",
    );
    const err = await StreamReader.open(nats.nc, { stream: "HOLDS", prefix: "wrong" }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toBe(
      'stream HOLDS holds holds.> (2 messages), nothing under wrong.>: check --subject-prefix (ELAVA_SUBJECT_PREFIX), which is "wrong"',
    );
  });

  it("fits the API timeout to the stream's size unless it is set", () => {
    expect(apiTimeoutFor("auto", 0)).toBe(AUTO_TIMEOUT_MS);
    expect(apiTimeoutFor("auto", 1_000_000)).toBe(20_000);
    expect(apiTimeoutFor("auto", 10_000_000)).toBe(200_000);
    expect(apiTimeoutFor(1500, 10_000_000)).toBe(1500);
  });

  it("says which call timed out, on which stream of how many messages, and which setting to raise", async () => {
    await createStream(nats.nc, "SLOW", "slow");
    await publishScan(
      nats.nc,
      [{ partition: partition("vpc"), resources: [vpc("vpc-1")] }],
      "slow",
    );
    const reader = await StreamReader.open(nats.nc, { stream: "SLOW", prefix: "slow" }, 300);
    const pid = nats.server.pid;
    if (pid === undefined) throw new Error("no server pid");
    process.kill(pid, "SIGSTOP");
    // The server stops when the kernel delivers the signal: wait until it no longer answers.
    await new Promise((r) => setTimeout(r, 200));
    try {
      const read = async () => {
        for await (const _ of reader.read({
          filter: "slow.>",
          start: { kind: "all" },
          purpose: "replay",
        })) {
          // never reached
        }
      };
      const err = await read().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StreamReadError);
      expect((err as Error).message).toBe(
        "replay: creating a consumer of slow.> (from all) on stream SLOW (2 messages) got no answer within 300ms (the JetStream API timeout): raise it with --nats-api-timeout",
      );
    } finally {
      process.kill(pid, "SIGCONT");
    }
  });

  it("tells overlapping subject filters apart", () => {
    expect(subjectsOverlap("elava.>", "elava.>")).toBe(true);
    expect(subjectsOverlap("elava.>", "wrong.>")).toBe(false);
    expect(subjectsOverlap(">", "wrong.>")).toBe(true);
    expect(subjectsOverlap("elava.*.vpc", "elava.>")).toBe(true);
    expect(subjectsOverlap("a.b", "a.>")).toBe(true);
    expect(subjectsOverlap("a", "a.>")).toBe(false);
  });
});
