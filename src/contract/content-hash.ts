/**
 * The content hash string and how consumers compare two of them.
 *
 * A content hash is `<scheme>:<hex digest>`. The scheme names what was hashed and how, so
 * that a consumer holding hashes from before an upgrade of the scheme tells that upgrade
 * from a modification: two hashes of different schemes say nothing about the content.
 *
 *   sha256      v1: SHA-256 of the stable envelope fields and the payload, lists in the
 *               order AWS returned them, every field included.
 *   sha256-v2   v2: the same, but volatile fields left out and unordered lists in
 *               canonical order (docs/stream-contract.md, "Content hash").
 *   sha256-v3   v3 (current): the bytes of v2, over the field set of this version, which
 *               added fields to types that v2 hashed (rds_instance.db_cluster_identifier,
 *               load_balancer.instance_ids): a resource carrying one would otherwise
 *               look MODIFIED on the first scan after an upgrade.
 *
 * The scheme names the set of fields hashed per type as well as the encoding: adding,
 * removing or renumbering a hashed field of a type that exists, or making a field
 * volatile or a list unordered, changes hashes of unchanged resources, so it bumps the
 * scheme. test/contract/hashed-fields.test.ts pins a digest of every type's hashed field
 * set under the current scheme and fails on any such change until the scheme is bumped.
 * A new resource type adds its line to that pin and needs no bump: no consumer holds a
 * hash of it.
 */

/** The scheme of the hashes this version publishes. */
export const CONTENT_HASH_SCHEME = "sha256-v3";

/** The scheme of a content hash: the text before its last ":" ("" when it has none). */
export function contentHashScheme(hash: string): string {
  const cut = hash.lastIndexOf(":");
  return cut < 0 ? "" : hash.slice(0, cut);
}

/**
 * How two content hashes of one resource compare: `same` content, `modified` content, or
 * `different-scheme` (hashed by two versions of the scheme: nothing can be said, and a
 * consumer reports no change).
 */
export type ContentComparison = "same" | "modified" | "different-scheme";

/** Compares two content hashes of one resource (see ContentComparison). */
export function compareContentHashes(previous: string, current: string): ContentComparison {
  if (previous === current) return "same";
  return contentHashScheme(previous) === contentHashScheme(current)
    ? "modified"
    : "different-scheme";
}
