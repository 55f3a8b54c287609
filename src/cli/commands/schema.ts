/** `elava schema`: the FileDescriptorSet of elava.v1, for consumers without this repository. */
import { writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { toBinary } from "@bufbuild/protobuf";
import { FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";
import { schemaDescriptorSet } from "../../contract/descriptor-set.ts";
import { type Command, ExitCode, UsageError } from "../command.ts";

export const command: Command = {
  name: "schema",
  summary: "write the schema (FileDescriptorSet of elava.v1, with its rules) for protoc and AHTI",
  description: `Writes the FileDescriptorSet of elava.v1, binary, to stdout or --out FILE: every
message, and the options that declare volatile fields, unordered lists and references
(docs/stream-contract.md). With it, protoc or any protobuf library decodes the stream and
follows references without this repository:

  elava schema --out elava.binpb
  nats stream get ELAVA --last-for 'elava.aws.vpc.123456789012.us-east-1.vpc-0abc' --raw \\
    | protoc --decode elava.v1.InfrastructureChangeEvent --descriptor_set_in=elava.binpb
  protoc --descriptor_set_in=elava.binpb --decode google.protobuf.FileDescriptorSet \\
    elava/v1/options.proto < elava.binpb     # the rules, readable`,
  groups: [],
  options: {
    out: { type: "string", placeholder: "FILE", help: "write to FILE instead of stdout" },
  },
  async run(ctx) {
    const bytes = toBinary(FileDescriptorSetSchema, schemaDescriptorSet());
    const out = ctx.args.string("out");
    if (out !== undefined) {
      const path = resolve(ctx.cwd, out);
      await writeFile(path, bytes);
      ctx.log.info("schema written", { path, bytes: bytes.length });
      return ExitCode.Ok;
    }
    if (ctx.stdout.isTTY === true) {
      throw new UsageError(
        "elava schema: the schema is binary (a FileDescriptorSet) and stdout is a terminal; redirect it (elava schema > elava.binpb) or give --out elava.binpb",
      );
    }
    ctx.stdout.write(bytes);
    return ExitCode.Ok;
  },
};
