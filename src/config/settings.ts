/**
 * Every configuration setting, once: its key in the YAML file (`stream.max_age`), its
 * command-line flag, its environment variables, its default, how to parse it and what to
 * tell the operator when the value is wrong. The loader, the help text of every command
 * and the `config` command are all generated from this table, so a setting cannot be
 * known to one of them and not the others.
 *
 * Secrets (the NATS password and token, the AWS external id) have no flag, because
 * command lines are visible to every user of the machine (`ps`): they come from the
 * environment, a file named by a flag, or the YAML file, and are shown only as
 * `<redacted>`. Credentials written into a NATS URL are taken out of it as the password or
 * token they are (src/config/nats-url.ts).
 *
 * An explicitly empty value (`--regions ""`, `aws.regions: []`) is an error, never a
 * silent "all" or "none": leaving a setting out is how to ask for its default.
 */
import {
  ALL_RESOURCE_TYPES,
  isResourceType,
  type ResourceType,
} from "../contract/resource-types.ts";
import { DEFAULT_PUBLISH_DEADLINE_MS, STREAM_DEFAULTS } from "../contract/stream-defaults.ts";
import { redactUrl } from "../util/redact.ts";
import { formatDuration, formatSize, parseDuration, parseSize } from "../util/units.ts";
import { checkNatsUrl, type NatsUrl } from "./nats-url.ts";

/** The groups of settings a command accepts; each command lists its groups. */
export type OptionGroup =
  /** `--log-level` (and `--config`, which every command accepts). */
  | "general"
  /** NATS connection: servers, name, credentials, TLS. */
  | "nats"
  /** Which stream: `--stream` and `--subject-prefix`. */
  | "stream"
  /** The stream's settings when Elava creates or updates it, and `--stream-verify-only`. */
  | "stream-settings"
  /** `--provider` and its options (AWS regions and roles, the sample estate). */
  | "provider"
  /** What one scan does: types, concurrency, shard, publishing, shutdown grace. */
  | "scan"
  /** The daemon: interval and HTTP listener. */
  | "daemon"
  /** How the consumer tools read the stream: the JetStream API timeout. */
  | "read";

/** The outcome of parsing one raw value. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; expected: string };

/** One setting (see the module comment). */
export interface Setting<T> {
  /** The YAML path, e.g. `stream.max_age`; also how errors and `config` name the setting. */
  readonly key: string;
  readonly group: OptionGroup;
  /** The flag without `--`; absent for secrets. */
  readonly flag?: string;
  /**
   * For a secret: the flag people reach for (`nats-password`), refused with a pointer to
   * the environment variable and the file.
   */
  readonly refusedFlag?: string;
  /** A switch flag (`--stream-verify-only`) takes no value. */
  readonly switch?: boolean;
  /** Environment variables, the first one set wins. */
  readonly env: readonly string[];
  /** What the value looks like in help text: `DURATION`, `N`, `ARN[,ARN]`. */
  readonly placeholder: string;
  readonly help: string;
  readonly secret?: boolean;
  readonly default: T;
  /** Parses the text of a flag, an environment variable or a YAML scalar (lists joined by commas). */
  parse(raw: string): Parsed<T>;
  /** The value as `config` prints it. */
  format(value: T): string;
  /** An example of a valid value, used in error messages. */
  readonly example: string;
}

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const bad = <T>(expected: string): Parsed<T> => ({ ok: false, expected });

/** The items of a comma-separated list, trimmed, each once, in order. */
function splitList(raw: string): string[] {
  return [
    ...new Set(
      raw
        .split(",")
        .map((s) => s.trim())
        .filter((s) => s !== ""),
    ),
  ];
}

/** The error of an explicitly empty list: say what leaving it out means instead. */
const emptyList = <T>(what: string, absent: string): Parsed<T> =>
  bad(`a list of ${what} (it is empty; to ${absent}, leave the setting out)`);

type Kind<T> = Pick<Setting<T>, "parse" | "format" | "placeholder" | "example">;

const text = (placeholder: string, example: string): Kind<string> => ({
  placeholder,
  example,
  parse: (raw) => (raw.trim() === "" ? bad("a non-empty value") : ok(raw.trim())),
  format: (v) => v,
});

const optionalText = (placeholder: string, example: string): Kind<string | undefined> => ({
  placeholder,
  example,
  parse: (raw) =>
    raw.trim() === ""
      ? bad("a non-empty value (to set none, leave the setting out)")
      : ok(raw.trim()),
  format: (v) => v ?? "",
});

const integer = (min: number, max: number, example: string): Kind<number> => ({
  placeholder: "N",
  example,
  parse: (raw) => {
    const n = Number(raw.trim());
    return /^-?\d+$/.test(raw.trim()) && n >= min && n <= max
      ? ok(n)
      : bad(`a whole number from ${min} to ${max}`);
  },
  format: (v) => String(v),
});

const fraction = (example: string): Kind<number> => ({
  placeholder: "F",
  example,
  parse: (raw) => {
    const n = Number(raw.trim());
    return /^(\d+(\.\d*)?|\.\d+)$/u.test(raw.trim()) && n <= 1
      ? ok(n)
      : bad("a number from 0 to 1");
  },
  format: (v) => String(v),
});

/**
 * The longest wait a Node timer takes (2^31-1 ms, about 24.8 days); a longer one fires at
 * once. Durations that end up in a timer (the interval, timeouts, the grace period) stop
 * at 24d.
 */
const MAX_TIMER_MS = 24 * 86_400_000;

const duration = (minMs: number, example: string, maxMs?: number): Kind<number> => ({
  placeholder: "DURATION",
  example,
  parse: (raw) => {
    const atLeast = minMs === 0 ? "0 or more" : `at least ${formatDuration(minMs)}`;
    if (raw.trim().startsWith("-")) return bad(`a duration of ${atLeast} (it is negative)`);
    const ms = parseDuration(raw);
    if (ms === undefined) return bad("a duration with a unit (500ms, 90s, 15m, 2h, 7d)");
    if (ms < minMs) return bad(`a duration of ${atLeast}`);
    if (maxMs !== undefined && ms > maxMs) {
      return bad(`a duration of at most ${formatDuration(maxMs)}`);
    }
    return ok(ms);
  },
  format: formatDuration,
});

const size = (example: string): Kind<number> => ({
  placeholder: "SIZE",
  example,
  parse: (raw) => {
    const n = parseSize(raw);
    return n === undefined ? bad("a size (10GiB, 512MiB, 1GB, bytes, or -1 for unlimited)") : ok(n);
  },
  format: formatSize,
});

const bool = (): Kind<boolean> => ({
  placeholder: "true|false",
  example: "true",
  parse: (raw) => {
    const t = raw.trim().toLowerCase();
    if (t === "true" || t === "1" || t === "yes") return ok(true);
    if (t === "false" || t === "0" || t === "no") return ok(false);
    return bad("true or false");
  },
  format: (v) => String(v),
});

const oneOf = <const T extends string>(
  choices: readonly T[],
  fallback: T,
): Kind<T> & { default: T } => ({
  default: fallback,
  placeholder: choices.join("|"),
  example: choices[0] ?? "",
  parse: (raw) => {
    const t = raw.trim();
    return (choices as readonly string[]).includes(t)
      ? ok(t as T)
      : bad(`one of ${choices.join(", ")}`);
  },
  format: (v) => v,
});

/**
 * A comma-separated list of `what`, each item passing `check`; `absent` says what leaving
 * the setting out means ("scan every enabled region").
 */
const list = (
  placeholder: string,
  example: string,
  what: string,
  absent: string,
  check: (item: string) => boolean,
): Kind<string[]> => ({
  placeholder,
  example,
  parse: (raw) => {
    const items = splitList(raw);
    if (items.length === 0) return emptyList(what, absent);
    const wrong = items.find((i) => !check(i));
    return wrong === undefined
      ? ok(items)
      : bad(`a comma-separated list of ${what} ("${wrong}" is not one)`);
  },
  format: (v) => v.join(","),
});

const types = (absent: string): Kind<ResourceType[]> => ({
  placeholder: "TYPE[,TYPE]",
  example: "ec2_instance,vpc",
  parse: (raw) => {
    const items = splitList(raw);
    if (items.length === 0) return emptyList("resource types", absent);
    const wrong = items.find((i) => !isResourceType(i));
    if (wrong !== undefined) {
      return bad(`resource types ("${wrong}" is not one of ${ALL_RESOURCE_TYPES.join(", ")})`);
    }
    return ok(items as ResourceType[]);
  },
  format: (v) => v.join(","),
});

/** A shard of the units: `index` counts from 0, `count` replicas in all. */
export interface ShardSpec {
  readonly index: number;
  readonly count: number;
}

const shard = (): Kind<ShardSpec> => ({
  placeholder: "I/N",
  example: "0/3",
  parse: (raw) => {
    const m = /^(\d+)\/(\d+)$/.exec(raw.trim());
    const index = Number(m?.[1]);
    const count = Number(m?.[2]);
    if (!m || count < 1 || index >= count) {
      return bad("I/N with 0 <= I < N (replica I of N, counting from 0)");
    }
    return ok({ index, count });
  },
  format: (v) => `${v.index}/${v.count}`,
});

const natsUrls = (): Kind<NatsUrl[]> => ({
  placeholder: "URL[,URL]",
  example: "nats://nats.example:4222",
  parse: (raw) => {
    const items = splitList(raw);
    if (items.length === 0) return bad("a list of NATS URLs (it is empty)");
    const urls: NatsUrl[] = [];
    for (const item of items) {
      const checked = checkNatsUrl(item);
      if (!checked.ok) return bad(`a list of NATS URLs: "${redactUrl(item)}" ${checked.problem}`);
      urls.push(checked.value);
    }
    return ok(urls);
  },
  format: (v) => v.map((u) => u.url).join(","),
});

const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/;

function setting<T>(s: Setting<T>): Setting<T> {
  return s;
}

/** The settings, by a short name used in code. */
export const SETTINGS = {
  logLevel: setting({
    key: "log_level",
    group: "general",
    flag: "log-level",
    env: ["ELAVA_LOG_LEVEL"],
    help: "least severe log level written",
    ...oneOf(["debug", "info", "warn", "error"], "info"),
  }),

  natsServers: setting({
    key: "nats.servers",
    group: "nats",
    flag: "nats-url",
    env: ["NATS_URL", "ELAVA_NATS_URL"],
    help: "NATS server URLs, comma-separated: nats://HOST:PORT, or tls:// to require TLS; credentials in a URL are used, and never shown",
    default: [{ url: "nats://127.0.0.1:4222", tls: false }],
    ...natsUrls(),
  }),
  natsName: setting({
    key: "nats.name",
    group: "nats",
    flag: "nats-name",
    env: ["ELAVA_NATS_NAME"],
    help: "connection name shown by the server, followed by the command (elava-scan, elava-tail)",
    default: "elava",
    ...text("NAME", "elava-prod"),
  }),
  natsUser: setting({
    key: "nats.user",
    group: "nats",
    flag: "nats-user",
    env: ["NATS_USER", "ELAVA_NATS_USER"],
    help: "user name; the password comes from NATS_PASSWORD, nats.password or --nats-password-file",
    default: undefined,
    ...optionalText("USER", "elava"),
  }),
  natsPassword: setting({
    key: "nats.password",
    group: "nats",
    refusedFlag: "nats-password",
    env: ["NATS_PASSWORD", "ELAVA_NATS_PASSWORD"],
    help: "password; no flag (ps shows command lines): the environment, nats.password in the --config file, or --nats-password-file",
    secret: true,
    default: undefined,
    ...optionalText("PASSWORD", "..."),
  }),
  natsPasswordFile: setting({
    key: "nats.password_file",
    group: "nats",
    flag: "nats-password-file",
    env: ["ELAVA_NATS_PASSWORD_FILE"],
    help: "file holding the password",
    default: undefined,
    ...optionalText("FILE", "/var/run/secrets/nats/password"),
  }),
  natsToken: setting({
    key: "nats.token",
    group: "nats",
    refusedFlag: "nats-token",
    env: ["NATS_TOKEN", "ELAVA_NATS_TOKEN"],
    help: "token; no flag (ps shows command lines): the environment, nats.token in the --config file, or --nats-token-file",
    secret: true,
    default: undefined,
    ...optionalText("TOKEN", "..."),
  }),
  natsTokenFile: setting({
    key: "nats.token_file",
    group: "nats",
    flag: "nats-token-file",
    env: ["ELAVA_NATS_TOKEN_FILE"],
    help: "file holding the token",
    default: undefined,
    ...optionalText("FILE", "/var/run/secrets/nats/token"),
  }),
  natsNkeySeedFile: setting({
    key: "nats.nkey_seed_file",
    group: "nats",
    flag: "nats-nkey-seed-file",
    env: ["ELAVA_NATS_NKEY_SEED_FILE"],
    help: "file holding an NKey seed",
    default: undefined,
    ...optionalText("FILE", "/var/run/secrets/nats/user.nk"),
  }),
  natsCredsFile: setting({
    key: "nats.creds_file",
    group: "nats",
    flag: "nats-creds",
    env: ["NATS_CREDS", "ELAVA_NATS_CREDS"],
    help: "credentials file (JWT and NKey seed)",
    default: undefined,
    ...optionalText("FILE", "/var/run/secrets/nats/elava.creds"),
  }),
  natsTlsCa: setting({
    key: "nats.tls.ca_file",
    group: "nats",
    flag: "nats-tls-ca",
    env: ["ELAVA_NATS_TLS_CA"],
    help: "CA certificate file to verify the server",
    default: undefined,
    ...optionalText("FILE", "/etc/nats/ca.pem"),
  }),
  natsTlsCert: setting({
    key: "nats.tls.cert_file",
    group: "nats",
    flag: "nats-tls-cert",
    env: ["ELAVA_NATS_TLS_CERT"],
    help: "client certificate file (with --nats-tls-key)",
    default: undefined,
    ...optionalText("FILE", "/etc/nats/client.pem"),
  }),
  natsTlsKey: setting({
    key: "nats.tls.key_file",
    group: "nats",
    flag: "nats-tls-key",
    env: ["ELAVA_NATS_TLS_KEY"],
    help: "client key file (with --nats-tls-cert)",
    default: undefined,
    ...optionalText("FILE", "/etc/nats/client-key.pem"),
  }),
  natsConnectTimeout: setting({
    key: "nats.connect_timeout",
    group: "nats",
    flag: "nats-connect-timeout",
    env: ["ELAVA_NATS_CONNECT_TIMEOUT"],
    help: "how long to try to connect before giving up",
    default: 5_000,
    ...duration(100, "5s", MAX_TIMER_MS),
  }),

  natsApiTimeout: setting({
    key: "nats.api_timeout",
    group: "read",
    flag: "nats-api-timeout",
    env: ["ELAVA_NATS_API_TIMEOUT"],
    help: "JetStream API timeout of the consumer tools; auto: 10s plus 20s per million messages in the stream",
    default: "auto" as number | "auto",
    placeholder: "DURATION|auto",
    example: "30s",
    parse: (raw: string): Parsed<number | "auto"> => {
      const t = raw.trim();
      if (t === "auto") return ok("auto");
      const ms = parseDuration(t);
      if (ms === undefined || ms < 100)
        return bad("auto, or a duration of at least 100ms (30s, 2m)");
      return ok(ms);
    },
    format: (v: number | "auto") => (v === "auto" ? "auto" : formatDuration(v)),
  }),

  streamName: setting({
    key: "stream.name",
    group: "stream",
    flag: "stream",
    env: ["ELAVA_STREAM"],
    help: "JetStream stream name",
    default: STREAM_DEFAULTS.name,
    ...text("NAME", "ELAVA"),
    parse: (raw) =>
      /^[A-Za-z0-9_-]+$/.test(raw.trim())
        ? ok(raw.trim())
        : bad("a stream name of letters, digits, _ and -"),
  }),
  subjectPrefix: setting({
    key: "stream.subject_prefix",
    group: "stream",
    flag: "subject-prefix",
    env: ["ELAVA_SUBJECT_PREFIX"],
    help: "first subject token(s) of every message",
    default: STREAM_DEFAULTS.subjectPrefix,
    ...text("PREFIX", "elava"),
    parse: (raw) =>
      /^[^.*>\s]+(\.[^.*>\s]+)*$/.test(raw.trim())
        ? ok(raw.trim())
        : bad("subject tokens without wildcards or spaces, separated by single dots"),
  }),
  streamVerifyOnly: setting({
    key: "stream.verify_only",
    group: "stream-settings",
    flag: "stream-verify-only",
    switch: true,
    env: ["ELAVA_STREAM_VERIFY_ONLY"],
    help: "only check that the stream exists; never create or update it",
    default: false,
    ...bool(),
  }),
  streamForceUpdate: setting({
    key: "stream.force_update",
    group: "stream-settings",
    flag: "stream-force-update",
    switch: true,
    env: ["ELAVA_STREAM_FORCE_UPDATE"],
    help: "apply the stream settings to an existing stream even where that can delete messages (tighter limits, discard policy, adding subjects)",
    default: false,
    ...bool(),
  }),
  streamMaxAge: setting({
    key: "stream.max_age",
    group: "stream-settings",
    flag: "stream-max-age",
    env: ["ELAVA_STREAM_MAX_AGE"],
    help: "discard messages older than this (0: never)",
    default: STREAM_DEFAULTS.maxAgeMs,
    ...duration(0, "7d"),
  }),
  streamMaxBytes: setting({
    key: "stream.max_bytes",
    group: "stream-settings",
    flag: "stream-max-bytes",
    env: ["ELAVA_STREAM_MAX_BYTES"],
    help: "stream size limit (-1: unlimited)",
    default: STREAM_DEFAULTS.maxBytes,
    ...size("10GiB"),
  }),
  streamMaxMsgsPerSubject: setting({
    key: "stream.max_msgs_per_subject",
    group: "stream-settings",
    flag: "stream-max-msgs-per-subject",
    env: ["ELAVA_STREAM_MAX_MSGS_PER_SUBJECT"],
    help: "snapshots kept per resource and markers per partition: the history changes and history can read (100 = 25h at a 15m interval)",
    default: STREAM_DEFAULTS.maxMsgsPerSubject,
    ...integer(1, 1_000_000, "100"),
  }),
  streamReplicas: setting({
    key: "stream.replicas",
    group: "stream-settings",
    flag: "stream-replicas",
    env: ["ELAVA_STREAM_REPLICAS"],
    help: "replicas in a clustered JetStream",
    default: STREAM_DEFAULTS.replicas,
    ...integer(1, 5, "3"),
  }),
  streamDuplicateWindow: setting({
    key: "stream.duplicate_window",
    group: "stream-settings",
    flag: "stream-duplicate-window",
    env: ["ELAVA_STREAM_DUPLICATE_WINDOW"],
    help: "how long JetStream deduplicates msg ids; longer than --publish-deadline, at most --stream-max-age",
    default: STREAM_DEFAULTS.duplicateWindowMs,
    ...duration(1_000, "10m"),
  }),
  streamAllowDirect: setting({
    key: "stream.allow_direct",
    group: "stream-settings",
    flag: "stream-allow-direct",
    env: ["ELAVA_STREAM_ALLOW_DIRECT"],
    help: "allow direct get (last message per subject from any replica)",
    default: STREAM_DEFAULTS.allowDirect,
    ...bool(),
  }),

  provider: setting({
    key: "provider",
    group: "provider",
    flag: "provider",
    env: ["ELAVA_PROVIDER"],
    help: "where resources come from: aws, or the synthetic sample estate",
    ...oneOf(["aws", "sample"], "aws"),
  }),
  regions: setting({
    key: "aws.regions",
    group: "provider",
    flag: "regions",
    env: ["ELAVA_REGIONS"],
    help: "AWS regions to scan (default: every region enabled for each account)",
    default: [],
    ...list(
      "REGION[,REGION]",
      "us-east-1,eu-west-1",
      "AWS region names",
      "scan every region enabled for each account",
      (r) => /^[a-z]{2}(-[a-z]+)+-\d$/.test(r),
    ),
  }),
  assumeRoles: setting({
    key: "aws.assume_roles",
    group: "provider",
    flag: "assume-role",
    env: ["ELAVA_ASSUME_ROLES"],
    help: "roles to assume, one per further account to scan (the ambient credentials' own account is always scanned, except with --org-role)",
    default: [],
    ...list(
      "ARN[,ARN]",
      "arn:aws:iam::123456789012:role/elava-reader",
      "IAM role ARNs (arn:aws:iam::123456789012:role/NAME)",
      "scan only the ambient credentials' account",
      (a) => ROLE_ARN.test(a),
    ),
  }),
  orgRole: setting({
    key: "aws.org_role",
    group: "provider",
    flag: "org-role",
    env: ["ELAVA_ORG_ROLE"],
    help: "scan every active account of the organisation (listed from the management or a delegated administrator account) through the role NAME in each",
    default: undefined,
    ...optionalText("NAME", "elava-scan"),
    parse: (raw) =>
      /^[\w+=,.@-]+(\/[\w+=,.@-]+)*$/u.test(raw.trim()) && raw.trim().length <= 512
        ? ok(raw.trim())
        : bad("an IAM role name, with an optional path (elava-scan, scanners/elava-scan)"),
  }),
  orgInclude: setting({
    key: "aws.org_include",
    group: "provider",
    flag: "org-include",
    env: ["ELAVA_ORG_INCLUDE"],
    help: "with --org-role: only these accounts (default: every active account)",
    default: [],
    ...list(
      "ID[,ID]",
      "111111111111,222222222222",
      "12-digit AWS account ids",
      "scan every active account of the organisation",
      (id) => /^\d{12}$/u.test(id),
    ),
  }),
  orgExclude: setting({
    key: "aws.org_exclude",
    group: "provider",
    flag: "org-exclude",
    env: ["ELAVA_ORG_EXCLUDE"],
    help: "with --org-role: never these accounts",
    default: [],
    ...list("ID[,ID]", "333333333333", "12-digit AWS account ids", "exclude no account", (id) =>
      /^\d{12}$/u.test(id),
    ),
  }),
  // Secret: STS lets the external id be any string, a passphrase included, and whoever
  // knows it (and may assume roles) passes the roles' trust condition.
  externalId: setting({
    key: "aws.external_id",
    group: "provider",
    refusedFlag: "external-id",
    env: ["ELAVA_EXTERNAL_ID"],
    help: "external id passed when assuming the roles; no flag (ps shows command lines): the environment, aws.external_id in the --config file, or --external-id-file",
    secret: true,
    default: undefined,
    ...optionalText("ID", "..."),
  }),
  externalIdFile: setting({
    key: "aws.external_id_file",
    group: "provider",
    flag: "external-id-file",
    env: ["ELAVA_EXTERNAL_ID_FILE"],
    help: "file holding the external id",
    default: undefined,
    ...optionalText("FILE", "/var/run/secrets/elava/external-id"),
  }),
  awsMaxAttempts: setting({
    key: "aws.max_attempts",
    group: "provider",
    flag: "aws-max-attempts",
    env: ["ELAVA_AWS_MAX_ATTEMPTS"],
    help: "attempts per AWS call, with adaptive backoff on throttling",
    default: 8,
    ...integer(1, 20, "8"),
  }),
  sampleResources: setting({
    key: "sample.resources",
    group: "provider",
    flag: "sample-resources",
    env: ["ELAVA_SAMPLE_RESOURCES"],
    help: "sample provider: about how many resources in the estate",
    default: 3000,
    ...integer(1, 10_000_000, "3000"),
  }),
  sampleSeed: setting({
    key: "sample.seed",
    group: "provider",
    flag: "sample-seed",
    env: ["ELAVA_SAMPLE_SEED"],
    help: "sample provider: seed of the estate (same seed, same estate)",
    default: 42,
    ...integer(0, 2 ** 31 - 1, "42"),
  }),
  sampleScan: setting({
    key: "sample.scan",
    group: "provider",
    flag: "sample-scan",
    env: ["ELAVA_SAMPLE_SCAN"],
    help: "sample provider: which scan of the estate's history to publish, from 1 (run adds 1 per scan, so churn shows)",
    default: 1,
    ...integer(1, 1_000_000, "3"),
  }),
  sampleChurn: setting({
    key: "sample.churn",
    group: "provider",
    flag: "sample-churn",
    env: ["ELAVA_SAMPLE_CHURN"],
    help: "sample provider: share of resources created, modified or removed per scan",
    default: 0.01,
    ...fraction("0.05"),
  }),
  sampleFail: setting({
    key: "sample.fail_types",
    group: "provider",
    flag: "sample-fail",
    env: ["ELAVA_SAMPLE_FAIL"],
    help: "sample provider: resource types whose partitions fail (access denied)",
    default: [],
    ...types("fail no partition"),
  }),

  types: setting({
    key: "scan.types",
    group: "scan",
    flag: "types",
    env: ["ELAVA_TYPES"],
    help: "resource types to scan (default: all)",
    default: [],
    ...types("scan every type"),
  }),
  concurrency: setting({
    key: "scan.concurrency",
    group: "scan",
    flag: "concurrency",
    env: ["ELAVA_CONCURRENCY"],
    help: "partitions scanned at once (the sample provider, which waits on nothing, lists 4 unless this is set)",
    // A scan waits on API latency, not CPU. Partitions are planned unit by unit (16 types
    // of one account and region), and AWS rate-limits per account and region, where the
    // per-service caps already bound the extra calls; so 64 lists about four units at
    // once, each against its own limits, and holds at most 64 pages in memory.
    default: 64,
    ...integer(1, 256, "64"),
  }),
  shard: setting({
    key: "scan.shard",
    group: "scan",
    flag: "shard",
    env: ["ELAVA_SHARD"],
    help: "scan replica I's share of the units (account x region), I counting from 0",
    default: { index: 0, count: 1 },
    ...shard(),
  }),
  publishWindow: setting({
    key: "publish.window",
    group: "scan",
    flag: "publish-window",
    env: ["ELAVA_PUBLISH_WINDOW"],
    help: "snapshots in flight awaiting their JetStream acknowledgement (at most this many per round trip to the server)",
    default: 256,
    ...integer(1, 65_536, "4096"),
  }),
  publishAckTimeout: setting({
    key: "publish.ack_timeout",
    group: "scan",
    flag: "publish-ack-timeout",
    env: ["ELAVA_PUBLISH_ACK_TIMEOUT"],
    help: "wait for one acknowledgement before retrying the publish",
    default: 5_000,
    ...duration(100, "5s", MAX_TIMER_MS),
  }),
  publishDeadline: setting({
    key: "publish.deadline",
    group: "scan",
    flag: "publish-deadline",
    env: ["ELAVA_PUBLISH_DEADLINE"],
    help: "give up on a snapshot (partition FAILED publish_failed) after this",
    default: DEFAULT_PUBLISH_DEADLINE_MS,
    ...duration(1_000, "60s", MAX_TIMER_MS),
  }),
  shutdownGrace: setting({
    key: "shutdown_grace",
    group: "scan",
    flag: "shutdown-grace",
    env: ["ELAVA_SHUTDOWN_GRACE"],
    help: "on SIGTERM or SIGINT, time running partitions get to finish (and publish their markers)",
    default: 20_000,
    ...duration(0, "20s", MAX_TIMER_MS),
  }),

  interval: setting({
    key: "interval",
    group: "daemon",
    flag: "interval",
    env: ["ELAVA_INTERVAL"],
    help: "time from one scan's start to the next (a slow scan delays the next)",
    default: 15 * 60_000,
    ...duration(1_000, "15m", MAX_TIMER_MS),
  }),
  httpPort: setting({
    key: "http_port",
    group: "daemon",
    flag: "http-port",
    env: ["ELAVA_HTTP_PORT"],
    help: "port of /healthz, /readyz and /metrics (0: no listener)",
    default: 9464,
    ...integer(0, 65_535, "9464"),
  }),
} as const;

/** A setting's short name in code, e.g. `streamMaxAge`. */
export type SettingName = keyof typeof SETTINGS;

/** The value type of a setting. */
export type SettingValue<N extends SettingName> =
  (typeof SETTINGS)[N] extends Setting<infer T> ? T : never;

/** All settings, in table order. */
export const SETTING_NAMES = Object.keys(SETTINGS) as SettingName[];
