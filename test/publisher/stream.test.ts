/** Stream management against a real nats-server: create, update, verify-only. */
import { jetstreamManager, StorageType } from "@nats-io/jetstream";
import { describe, expect, it } from "vitest";
import {
  DEFAULT_STREAM_SETTINGS,
  ensureStream,
  StreamMismatchError,
  StreamMissingError,
  type StreamSettings,
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
      max_msgs_per_subject: 10,
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

  it("updates a stream whose settings differ", async () => {
    await ensureStream(nats.nc, settings("UPDATE"), { verifyOnly: false });
    const wanted = settings("UPDATE", {
      maxMsgsPerSubject: 3,
      duplicateWindowMs: 300_000,
      allowDirect: false,
    });
    const updated = await ensureStream(nats.nc, wanted, { verifyOnly: false });
    expect(updated.action).toBe("updated");
    expect(updated.info.config).toMatchObject({
      max_msgs_per_subject: 3,
      duplicate_window: 300 * 1e9,
      allow_direct: false,
    });
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
      { setting: "max_msgs_per_subject", expected: "10", actual: "5" },
    ]);
    expect(mismatch.message).toContain("max_msgs_per_subject: expected 10, found 5");
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
      settings: { max_msgs_per_subject: "10", duplicate_window: "120000 ms", allow_direct: "true" },
    });
  });
});
