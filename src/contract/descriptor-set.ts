/**
 * The schema as a FileDescriptorSet: every file of elava.v1 with its options, and the
 * google/protobuf files they import, in dependency order as protoc wants them. It is what
 * `elava schema` writes, so that a consumer decodes snapshots and markers and follows
 * references without this repository (`protoc --decode ... --descriptor_set_in`, or any
 * protobuf library that loads a descriptor set). It is built from the descriptors the
 * generated code embeds, so it is exactly the schema this version publishes, options
 * included; comments are not part of them (docs/stream-contract.md explains the options).
 */
import { create, type DescFile } from "@bufbuild/protobuf";
import { type FileDescriptorSet, FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";
import { file_elava_v1_event } from "../gen/elava/v1/event_pb.ts";
import { file_elava_v1_marker } from "../gen/elava/v1/marker_pb.ts";
import { file_elava_v1_options } from "../gen/elava/v1/options_pb.ts";

/** The files of the schema's entry points and everything they import, imports first. */
function inDependencyOrder(roots: readonly DescFile[]): DescFile[] {
  const ordered: DescFile[] = [];
  const seen = new Set<string>();
  const visit = (file: DescFile) => {
    if (seen.has(file.name)) return;
    seen.add(file.name);
    for (const dependency of file.dependencies) visit(dependency);
    ordered.push(file);
  };
  for (const root of roots) visit(root);
  return ordered;
}

/** The FileDescriptorSet of elava.v1 (see the module comment). */
export function schemaDescriptorSet(): FileDescriptorSet {
  const files = inDependencyOrder([
    file_elava_v1_event,
    file_elava_v1_marker,
    file_elava_v1_options,
  ]);
  return create(FileDescriptorSetSchema, { file: files.map((f) => f.proto) });
}
