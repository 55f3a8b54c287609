/** Stream management against a real nats-server: create, update, verify-only. */
import { DiscardPolicy, jetstreamManager, StorageType } from "@nats-io/jetstream";
import { describe, expect, it } from "vitest";
import {
  DEFAULT_STREAM_SETTINGS,
  ensureStream,
  StreamMismatchError,
  StreamMissingError,
  StreamOverlapError,
  type StreamSettings,
  StreamUnsafeUpdateError,
  streamSummary,
} from "../../src/publisher/stream.ts";
import { useNatsServer } from "../support/nats-server.ts";

const nats = useNatsServer();

function settings(name: string, extra: Partial<StreamSettings> = {}): StreamSettings {
  return { ...DEFAULT_STREAM_SETTINGS, name, subjectPrefix: name.toLowerCase(), ...extra };
}

describe("ensureStream", () => {
  it("creates a missing stream with the contract's settings, then leaves it unchanged", async () => {
    const created = await ensureStream(nats.nc, settings("CREATE"), { verifyOnly: false });
    expect(created.action).toBe("created");
    expect(created.info.config).toMatchObject({
      name: "CREATE",
      subjects: ["create.>"],
      storage: "file",
      retention: "limits",
      discard: "old",
      max_age: 7 * 24 * 3600 * 1e9,
      max_bytes: -1,
      max_msgs_per_subject: 100,
      num_replicas: 1,
      duplicate_window: 120 * 1e9,
      allow_direct: true,
    });
    expect((await ensureStream(nats.nc, settings("CREATE"), { verifyOnly: false })).action).toBe(
      "unchanged",
    );
    expect((await ensureStream(nats.nc, settings("CREATE"), { verifyOnly: true })).action).toBe(
      "verified",
    );
  });

  it("updates what deletes nothing, naming each change, and leaves the rest as it was", async () => {
    await ensureStream(nats.nc, settings("UPDATE", { maxMsgsPerSubject: 5 }), {
      verifyOnly: false,
    });
    const jsm = await jetstreamManager(nats.nc);
    const before = await jsm.streams.info("UPDATE");
    await jsm.streams.update("UPDATE", { ...before.config, description: "the operator's" });
    const wanted = settings("UPDATE", {
      maxMsgsPerSubject: 20,
      maxAgeMs: 0,
      duplicateWindowMs: 300_000,
      allowDirect: false,
    });
    const updated = await ensureStream(nats.nc, wanted, { verifyOnly: false });
    expect(updated.action).toBe("updated");
    expect(updated.changes).toEqual([
      { setting: "max_age", expected: "0 ms", actual: "604800000 ms" },
      { setting: "max_msgs_per_subject", expected: "20", actual: "5" },
      { setting: "duplicate_window", expected: "300000 ms", actual: "120000 ms" },
      { setting: "allow_direct", expected: "false", actual: "true" },
    ]);
    expect(updated.info.config).toMatchObject({
      max_age: 0,
      max_msgs_per_subject: 20,
      duplicate_window: 300 * 1e9,
      allow_direct: false,
      description: "the operator's",
    });
  });

  it("changes nothing that can delete messages unless forced, listing each such change", async () => {
    const jsm = await jetstreamManager(nats.nc);
    // Another application's stream, with the name and subjects elava is told to use.
    await jsm.streams.add({
      name: "SHARED",
      subjects: ["other.>"],
      max_age: 0,
      max_msgs_per_subject: -1,
      max_bytes: 1_000_000,
      discard: DiscardPolicy.New,
    });
    const wanted = settings("SHARED");
    const err = await ensureStream(nats.nc, wanted, { verifyOnly: false }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StreamUnsafeUpdateError);
    expect((err as StreamUnsafeUpdateError).differences.map((d) => d.setting)).toEqual([
      "subjects",
      "discard",
      "max_age",
      "max_msgs_per_subject",
    ]);
    const text = (err as Error).message;
    expect(text).toContain('subjects: elava wants to include shared.>, the stream has ["other.>"]');
    expect(text).toContain("max_msgs_per_subject: elava wants 100, the stream has -1");
    expect(text).toContain("--stream-force-update");
    // max_bytes goes from 1 MB to none: looser, but nothing is changed while any change is refused.
    const untouched = await jsm.streams.info("SHARED");
    expect(untouched.config).toMatchObject({
      subjects: ["other.>"],
      max_age: 0,
      max_msgs_per_subject: -1,
      max_bytes: 1_000_000,
      discard: "new",
    });

    const forced = await ensureStream(nats.nc, wanted, { verifyOnly: false, forceUpdate: true });
    expect(forced.changes.map((d) => d.setting)).toEqual([
      "subjects",
      "discard",
      "max_age",
      "max_bytes",
      "max_msgs_per_subject",
      "allow_direct",
    ]);
    expect(forced.info.config.subjects).toEqual(["other.>", "shared.>"]);
    expect(forced.info.config.discard).toBe("old");
  });

  it("names the other stream when its subjects overlap", async () => {
    const jsm = await jetstreamManager(nats.nc);
    await jsm.streams.add({ name: "HOLDER", subjects: ["overlap.aws.>"] });
    const err = await ensureStream(nats.nc, settings("OVERLAP"), { verifyOnly: false }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(StreamOverlapError);
    expect((err as Error).message).toContain(
      "cannot create stream OVERLAP: its subjects overlap.> overlap those of stream HOLDER (overlap.aws.>)",
    );
  });

  it("under verify-only lists every difference and how to fix it, and changes nothing", async () => {
    await ensureStream(nats.nc, settings("VERIFY", { maxMsgsPerSubject: 5, maxAgeMs: 3_600_000 }), {
      verifyOnly: false,
    });
    const err = await ensureStream(nats.nc, settings("VERIFY"), { verifyOnly: true }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(StreamMismatchError);
    const mismatch = err as StreamMismatchError;
    expect(mismatch.differences).toEqual([
      { setting: "max_age", expected: "604800000 ms", actual: "3600000 ms" },
      { setting: "max_msgs_per_subject", expected: "100", actual: "5" },
    ]);
    expect(mismatch.message).toContain("max_msgs_per_subject: expected 100, found 5");
    expect(mismatch.message).toContain("nats stream edit VERIFY");
    const info = await (await jetstreamManager(nats.nc)).streams.info("VERIFY");
    expect(info.config.max_msgs_per_subject).toBe(5);
  });

  it("under verify-only fails clearly when the stream is missing", async () => {
    const err = await ensureStream(nats.nc, settings("ABSENT"), { verifyOnly: true }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(StreamMissingError);
    expect((err as Error).message).toContain("stream ABSENT does not exist");
    expect((err as Error).message).toContain("--stream-verify-only");
  });

  it("refuses to change a setting JetStream cannot update", async () => {
    const jsm = await jetstreamManager(nats.nc);
    await jsm.streams.add({ name: "MEMORY", subjects: ["memory.>"], storage: StorageType.Memory });
    const err = await ensureStream(nats.nc, settings("MEMORY"), { verifyOnly: false }).catch(
      (e: unknown) => e,
    );
    expect((err as Error).message).toContain(
      "stream MEMORY has storage memory, which JetStream cannot change",
    );
  });
});

describe("streamSummary", () => {
  it("summarises state and settings", async () => {
    const { info } = await ensureStream(nats.nc, settings("SUMMARY"), { verifyOnly: false });
    const summary = streamSummary(info);
    expect(summary).toMatchObject({
      name: "SUMMARY",
      subjects: ["summary.>"],
      messages: 0,
      settings: {
        max_msgs_per_subject: "100",
        duplicate_window: "120000 ms",
        allow_direct: "true",
      },
    });
  });
});
