/**
 * Subjects of the stream contract.
 *
 * Snapshot: `<prefix>.<provider>.<resource_type>.<account_id>.<region>.<resource_token>`
 * Marker:   `<prefix>.<provider>.<resource_type>.<account_id>.<region>`
 *
 * A resource id becomes one subject token by percent-encoding `%` and every character
 * NATS does not allow inside a token: `.` (the separator), `*` and `>` (wildcards),
 * whitespace and non-printable characters. Everything else, `:` and `/` of ARNs and
 * any other unicode, stays as it is, so subjects stay readable in `nats sub`. Decoding
 * is the exact inverse. Ids are encoded as UTF-8 bytes, `%XX` per byte, upper-case hex.
 */
import { isResourceType, type ResourceType } from "./resource-types.ts";

/** One partition: a resource type in one account and region of one provider. */
export interface PartitionKey {
  readonly provider: string;
  readonly resourceType: ResourceType;
  readonly accountId: string;
  readonly region: string;
}

// `%`, `.`, `*`, `>`, C0 controls, space, DEL, and the unicode whitespace / format
// characters NATS servers and tools split on.
const UNSAFE =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what must be escaped
  /[%.*>\u0000-\u0020\u007f-\u00a0\u1680\u2000-\u200b\u2028\u2029\u202f\u205f\u3000\ufeff]/gu;

/** Encodes a resource id as one subject token (see the module comment). */
export function encodeToken(id: string): string {
  if (id === "") throw new Error("cannot encode an empty resource id as a subject token");
  return id.replace(UNSAFE, (ch) => {
    let out = "";
    for (const byte of Buffer.from(ch, "utf8")) {
      out += `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
    }
    return out;
  });
}

/** Decodes a subject token back to the resource id it was made from. */
export function decodeToken(token: string): string {
  if (!token.includes("%")) return token;
  return decodeURIComponent(token);
}

/** Checks the part of a subject that comes before the resource token. */
function checkToken(name: string, value: string): string {
  if (value === "" || /[.*>\s]/u.test(value)) {
    throw new Error(
      `${name} "${value}" cannot be a subject token: it must be non-empty without ".", "*", ">" or spaces`,
    );
  }
  return value;
}

/** The subject of a partition's marker, and the prefix of its snapshots' subjects. */
export function partitionSubject(prefix: string, p: PartitionKey): string {
  return [
    prefix,
    checkToken("provider", p.provider),
    p.resourceType,
    checkToken("account id", p.accountId),
    checkToken("region", p.region),
  ].join(".");
}

/** The subject of one resource's snapshots. */
export function snapshotSubject(prefix: string, p: PartitionKey, resourceId: string): string {
  return `${partitionSubject(prefix, p)}.${encodeToken(resourceId)}`;
}

/** What a subject of the stream names: a partition (marker) or a resource in one. */
export type ParsedSubject =
  | { kind: "marker"; partition: PartitionKey }
  | { kind: "snapshot"; partition: PartitionKey; resourceId: string };

/**
 * Parses a subject of the stream. The prefix may itself contain dots. Returns undefined
 * for subjects that are not shaped by the contract.
 */
export function parseSubject(prefix: string, subject: string): ParsedSubject | undefined {
  if (!subject.startsWith(`${prefix}.`)) return undefined;
  const tokens = subject.slice(prefix.length + 1).split(".");
  const [provider, resourceType, accountId, region, token] = tokens;
  if (tokens.length < 4 || tokens.length > 5) return undefined;
  if (!provider || !resourceType || !accountId || !region || !isResourceType(resourceType)) {
    return undefined;
  }
  const partition: PartitionKey = { provider, resourceType, accountId, region };
  if (token === undefined) return { kind: "marker", partition };
  return { kind: "snapshot", partition, resourceId: decodeToken(token) };
}

/** A stable text key for a partition, e.g. `aws.vpc.123456789012.us-east-1`. */
export function partitionId(p: PartitionKey): string {
  return `${p.provider}.${p.resourceType}.${p.accountId}.${p.region}`;
}
