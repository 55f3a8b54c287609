/**
 * `elava schema`: the FileDescriptorSet a consumer needs to read the stream without this
 * repository. Checked the way such a consumer would use it: protoc decoding a snapshot and
 * a marker fetched from a real nats-server (the recipe of docs/stream-contract.md), and
 * protobuf-es loading the set alone, decoding, and reading the rules from the options.
 */
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  createFileRegistry,
  type DescExtension,
  type DescMessage,
  fromBinary,
  getOption,
  type Message,
} from "@bufbuild/protobuf";
import { FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";
import { jetstreamManager } from "@nats-io/jetstream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CommandContext, ExitCode, runCommand } from "../../src/cli/command.ts";
import { command as schemaCommand } from "../../src/cli/commands/schema.ts";
import { createStream, partition, publishScan, vpc } from "../consumer/publish.ts";
import { useNatsServer } from "../support/nats-server.ts";
import { BIN } from "./run-cli.ts";

const nats = useNatsServer();

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "elava-schema-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Runs a program with bytes on stdin; resolves to its exit code and raw stdout. */
function run(
  program: string,
  args: readonly string[],
  input?: Uint8Array,
): Promise<{ code: number | null; stdout: Buffer; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, {
      env: {
        PATH: process.env.PATH ?? "",
        HOME: process.env.HOME ?? "/tmp",
        ELAVA_NODE: process.execPath,
      },
      stdio: ["pipe", "pipe", "pipe"],
    });
    const out: Buffer[] = [];
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => out.push(c));
    child.stderr.on("data", (c: Buffer) => {
      stderr += c.toString();
    });
    child.on("error", reject);
    child.on("exit", (code) => resolve({ code, stdout: Buffer.concat(out), stderr }));
    child.stdin.end(input ?? Buffer.alloc(0));
  });
}

/** Writes the schema with bin/elava and returns its path. */
async function schemaFile(): Promise<string> {
  const path = join(dir, "elava.binpb");
  const r = await run(BIN, ["schema", "--out", path]);
  expect(r.code, r.stderr).toBe(0);
  return path;
}

describe("elava schema", () => {
  it("writes the same set to stdout as to --out, binary", async () => {
    const path = await schemaFile();
    const piped = await run(BIN, ["schema"]);
    expect(piped.code, piped.stderr).toBe(0);
    const written = await readFile(path);
    expect(piped.stdout.equals(written)).toBe(true);
    const set = fromBinary(FileDescriptorSetSchema, written);
    expect(set.file.map((f) => f.name)).toEqual(
      expect.arrayContaining([
        "google/protobuf/descriptor.proto",
        "google/protobuf/timestamp.proto",
        "elava/v1/options.proto",
        "elava/v1/event.proto",
        "elava/v1/marker.proto",
      ]),
    );
  });

  it("refuses to write binary to a terminal, and says how to get it", async () => {
    let err = "";
    const terminal = { isTTY: true, write: () => true };
    const ctx: CommandContext = {
      argv: [],
      env: {},
      stdout: terminal,
      stderr: { write: (c: string | Uint8Array) => (err += String(c)) },
      isTTY: true,
      signal: new AbortController().signal,
      cwd: dir,
    };
    expect(await runCommand(schemaCommand, ctx)).toBe(ExitCode.Config);
    expect(err).toContain("stdout is a terminal");
    expect(err).toContain("--out elava.binpb");
  });

  it("lets protoc decode a snapshot and a marker fetched from the stream, with nothing else", async () => {
    const path = await schemaFile();
    const loc = { stream: "SCHEMA", prefix: "schema" };
    await createStream(nats.nc, loc.stream, loc.prefix);
    await publishScan(
      nats.nc,
      [
        {
          partition: partition("vpc"),
          resources: [vpc("vpc-0abc", "10.4.0.0/16", { Team: "net" })],
        },
      ],
      loc.prefix,
    );
    // What `nats stream get ELAVA --last-for <subject>` fetches.
    const jsm = await jetstreamManager(nats.nc);
    const subject = `${loc.prefix}.aws.vpc.123456789012.us-east-1`;
    const snapshot = await jsm.streams.getMessage(loc.stream, {
      last_by_subj: `${subject}.vpc-0abc`,
    });
    const marker = await jsm.streams.getMessage(loc.stream, { last_by_subj: subject });
    if (snapshot === null || marker === null) throw new Error("nothing stored");

    const decoded = await run(
      "protoc",
      ["--decode", "elava.v1.InfrastructureChangeEvent", `--descriptor_set_in=${path}`],
      snapshot.data,
    );
    expect(decoded.code, decoded.stderr).toBe(0);
    const text = decoded.stdout.toString();
    expect(text).toContain('resource_type: "vpc"');
    expect(text).toContain('resource_id: "vpc-0abc"');
    expect(text).toMatch(/vpc \{\n\s+vpc_id: "vpc-0abc"\n\s+cidr_block: "10.4.0.0\/16"/u);
    expect(text).toMatch(/content_hash: "sha256-v3:[0-9a-f]{64}"/u);

    const decodedMarker = await run(
      "protoc",
      ["--decode", "elava.v1.PartitionScanned", `--descriptor_set_in=${path}`],
      marker.data,
    );
    expect(decodedMarker.code, decodedMarker.stderr).toBe(0);
    expect(decodedMarker.stdout.toString()).toContain("status: SCAN_STATUS_OK");

    // `nats sub --raw` ends each message with a newline: the recipe strips it.
    const viaSub = await run(
      "sh",
      [
        "-c",
        `head -c -1 | protoc --decode elava.v1.InfrastructureChangeEvent --descriptor_set_in=${path}`,
      ],
      Buffer.concat([snapshot.data, Buffer.from("\n")]),
    );
    expect(viaSub.code, viaSub.stderr).toBe(0);
    expect(viaSub.stdout.toString()).toBe(text);
  });

  it("shows the rules by name when protoc decodes the set itself", async () => {
    const path = await schemaFile();
    const r = await run(
      "protoc",
      [
        `--descriptor_set_in=${path}`,
        "--decode",
        "google.protobuf.FileDescriptorSet",
        "elava/v1/options.proto",
      ],
      await readFile(path),
    );
    expect(r.code, r.stderr).toBe(0);
    const text = r.stdout.toString();
    expect(text).toContain("[elava.v1.field] {");
    expect(text).toContain("[elava.v1.resource] {");
    expect(text).toMatch(/\[elava\.v1\.field\] \{\n\s+volatile: true/u);
    expect(text).toContain('target_field: "instance_profile_arns"');
  });

  it("is all protobuf-es needs to decode a snapshot and read the references and volatile fields", async () => {
    const registry = createFileRegistry(
      fromBinary(FileDescriptorSetSchema, await readFile(await schemaFile())),
    );
    const eventSchema = registry.getMessage("elava.v1.InfrastructureChangeEvent");
    const fieldExt = registry.getExtension("elava.v1.field");
    const resourceExt = registry.getExtension("elava.v1.resource");
    if (eventSchema === undefined || fieldExt === undefined || resourceExt === undefined) {
      throw new Error("the set lacks the event or the options");
    }
    const loc = { stream: "SCHEMA2", prefix: "schema2" };
    await createStream(nats.nc, loc.stream, loc.prefix);
    await publishScan(
      nats.nc,
      [{ partition: partition("vpc"), resources: [vpc("vpc-0def")] }],
      loc.prefix,
    );
    const jsm = await jetstreamManager(nats.nc);
    const stored = await jsm.streams.getMessage(loc.stream, {
      last_by_subj: `${loc.prefix}.aws.vpc.123456789012.us-east-1.vpc-0def`,
    });
    if (stored === null) throw new Error("nothing stored");
    const event = fromBinary(eventSchema, stored.data) as Message & Record<string, unknown>;
    expect(event.resourceId).toBe("vpc-0def");

    type Rules = {
      volatile: boolean;
      unordered: boolean;
      references: { targetType: string; relation: string }[];
    };
    const rules = (m: DescMessage, name: string) => {
      const f = m.fields.find((x) => x.name === name);
      if (f === undefined) throw new Error(`${m.typeName} has no ${name}`);
      return getOption(f, fieldExt as DescExtension) as unknown as Rules;
    };
    const subnet = registry.getMessage("elava.v1.Subnet");
    const rds = registry.getMessage("elava.v1.RdsInstance");
    if (subnet === undefined || rds === undefined) throw new Error("no Subnet or RdsInstance");
    expect(rules(subnet, "available_ip_address_count").volatile).toBe(true);
    expect(rules(subnet, "vpc_id").references).toMatchObject([
      { targetType: "vpc", relation: "belongs_to" },
    ]);
    expect(rules(rds, "vpc_security_group_ids").unordered).toBe(true);
    expect(rules(eventSchema, "observed_at").volatile).toBe(true);
    const identity = getOption(subnet, resourceExt as DescExtension) as unknown as {
      idFields: string[];
    };
    expect(identity.idFields).toEqual(["subnet_id"]);
  });
});
