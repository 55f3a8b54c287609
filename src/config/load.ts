/**
 * Loads the effective configuration: for each setting the first of its flag, its
 * environment variables, the YAML file (`--config` or `ELAVA_CONFIG`) and its default.
 * Everything is validated here, before the CLI connects to anything: a wrong value is a
 * ConfigError naming the setting, where the value came from, what was wrong and an
 * example of a right one. Nothing the loader says (errors, warnings, `config`) shows a
 * secret.
 */
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { ConfigError, errorMessage } from "../errors.ts";
import { REDACTED, redactText } from "../util/redact.ts";
import { formatDuration } from "../util/units.ts";
import { sameCredentials, type UrlCredentials } from "./nats-url.ts";
import {
  type OptionGroup,
  SETTING_NAMES,
  SETTINGS,
  type Setting,
  type SettingName,
  type SettingValue,
} from "./settings.ts";

/** Where an effective value came from. */
export type SourceKind = "flag" | "env" | "file" | "default";

/** Where an effective value came from, with the flag, variable or file that set it. */
export interface ValueSource {
  readonly kind: SourceKind;
  /** `--interval`, `ELAVA_INTERVAL`, `/etc/elava.yaml`; empty for defaults. */
  readonly name: string;
}

/** Every setting's effective value. */
export type ConfigValues = { -readonly [N in SettingName]: SettingValue<N> };

/** The effective configuration and where each value came from. */
export interface LoadedConfig {
  readonly values: Readonly<ConfigValues>;
  readonly sources: Readonly<Record<SettingName, ValueSource>>;
  /** The YAML file read, if any. */
  readonly file: string | undefined;
  /** Things that work but deserve the operator's attention; the CLI logs them. */
  readonly warnings: readonly string[];
}

/** What the loader reads. */
export interface ConfigInput {
  /** Parsed flags keyed by flag name without `--` (parseArgs values). */
  readonly flags: Readonly<Record<string, string | boolean | undefined>>;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The YAML file path, if `--config` was given (otherwise ELAVA_CONFIG is used). */
  readonly configFile?: string | undefined;
  /** Base of relative file paths. */
  readonly cwd: string;
}

function describeRaw(setting: Setting<unknown>, raw: string): string {
  return setting.secret ? REDACTED : JSON.stringify(redactText(raw));
}

function invalid(
  setting: Setting<unknown>,
  source: ValueSource,
  raw: string,
  expected: string,
): ConfigError {
  const value = describeRaw(setting, raw);
  const where =
    source.kind === "flag"
      ? `--${setting.flag} ${value}`
      : source.kind === "env"
        ? `${source.name}=${value}`
        : `${setting.key}: ${value} in ${source.name}`;
  const example =
    source.kind === "flag"
      ? `--${setting.flag} ${setting.example}`
      : source.kind === "env"
        ? `${source.name}=${setting.example}`
        : `${setting.key}: ${setting.example}`;
  return new ConfigError(
    `invalid ${setting.key}: ${where} is not ${expected}; set it like ${example}`,
  );
}

/** Flattens a YAML document into `section.key` -> raw text; lists are joined by commas. */
function flatten(
  doc: unknown,
  file: string,
  prefix = "",
  out = new Map<string, string>(),
): Map<string, string> {
  if (doc === null || doc === undefined) return out;
  if (typeof doc !== "object" || Array.isArray(doc)) {
    throw new ConfigError(
      `config file ${file}: expected a mapping of settings${prefix ? ` under "${prefix}"` : ""}, found ${Array.isArray(doc) ? "a list" : typeof doc}`,
    );
  }
  for (const [k, v] of Object.entries(doc)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (Array.isArray(v)) out.set(key, v.map((item) => String(item)).join(","));
    else if (v !== null && typeof v === "object") flatten(v, file, key, out);
    else out.set(key, v === null ? "" : String(v));
  }
  return out;
}

async function readConfigFile(path: string): Promise<Map<string, string>> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    throw new ConfigError(
      `cannot read config file ${path}: ${errorMessage(err)}; fix the --config path or ELAVA_CONFIG`,
    );
  }
  // The YAML parser (72 modules) is loaded only when there is a file to parse.
  const { parse: parseYaml } = await import("yaml");
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    // The parser quotes the offending line, which may hold a password: keep only the
    // first line of its message, which names the line and column.
    const first = errorMessage(err).split("\n")[0]?.replace(/:$/u, "") ?? "";
    throw new ConfigError(`config file ${path} is not valid YAML: ${first}`);
  }
  const values = flatten(doc, path);
  const known = new Set(SETTING_NAMES.map((n) => SETTINGS[n].key));
  for (const key of values.keys()) {
    if (!known.has(key)) {
      const last = key.slice(key.lastIndexOf(".") + 1);
      const moved = [...known].find((k) => k.endsWith(`.${last}`) || k === last);
      const section = key.includes(".") ? key.slice(0, key.lastIndexOf(".") + 1) : "";
      const near = [...known].filter((k) => section !== "" && k.startsWith(section));
      const hint =
        moved !== undefined
          ? `did you mean "${moved}"?`
          : `known keys${section ? ` in ${section.slice(0, -1)}` : ""}: ${(near.length > 0 ? near : [...known]).join(", ")}`;
      throw new ConfigError(`config file ${path}: unknown key "${key}"; ${hint}`);
    }
  }
  return values;
}

async function readSecretFile(setting: Setting<unknown>, path: string): Promise<string> {
  try {
    return (await readFile(path, "utf8")).trim();
  } catch (err) {
    throw new ConfigError(
      `invalid ${setting.key}: cannot read ${path}: ${errorMessage(err)}; point --${setting.flag} at a readable file`,
    );
  }
}

async function checkReadable(setting: Setting<unknown>, path: string | undefined): Promise<void> {
  if (path === undefined) return;
  await readSecretFile(setting, path);
}

/** Loads and validates the configuration (see the module comment). Throws ConfigError. */
export async function loadConfig(input: ConfigInput): Promise<LoadedConfig> {
  const fileArg = input.configFile ?? input.env.ELAVA_CONFIG;
  const file = fileArg === undefined || fileArg === "" ? undefined : resolve(input.cwd, fileArg);
  const fileValues = file === undefined ? new Map<string, string>() : await readConfigFile(file);

  const values: Partial<Record<SettingName, unknown>> = {};
  const sources: Partial<Record<SettingName, ValueSource>> = {};
  for (const name of SETTING_NAMES) {
    const setting = SETTINGS[name] as Setting<unknown>;
    let raw: string | undefined;
    let source: ValueSource = { kind: "default", name: "" };
    const flag = setting.flag === undefined ? undefined : input.flags[setting.flag];
    const envName = setting.env.find((e) => input.env[e] !== undefined && input.env[e] !== "");
    if (flag !== undefined) {
      raw = typeof flag === "boolean" ? String(flag) : flag;
      source = { kind: "flag", name: `--${setting.flag}` };
    } else if (envName !== undefined) {
      raw = input.env[envName];
      source = { kind: "env", name: envName };
    } else if (fileValues.has(setting.key)) {
      raw = fileValues.get(setting.key);
      source = { kind: "file", name: file ?? "" };
    }
    if (raw === undefined) {
      values[name] = setting.default;
    } else {
      const parsed = setting.parse(raw);
      if (!parsed.ok) throw invalid(setting, source, raw, parsed.expected);
      values[name] = parsed.value;
    }
    sources[name] = source;
  }
  const config = {
    values: values as ConfigValues,
    sources: sources as Record<SettingName, ValueSource>,
    file,
    warnings: [] as string[],
  };
  await resolveSecretFiles(config, input.cwd);
  takeUrlCredentials(config);
  validate(config);
  warnAboutIgnored(config);
  return config;
}

type MutableConfig = {
  values: ConfigValues;
  sources: Record<SettingName, ValueSource>;
  warnings: string[];
};

/**
 * Moves credentials written into the NATS URLs to the user and password, or the token
 * (see src/config/nats-url.ts). One connection has one identity: every URL that carries
 * credentials must carry the same ones, and they must not also be set elsewhere.
 */
function takeUrlCredentials(config: MutableConfig): void {
  const v = config.values;
  const given = v.natsServers.flatMap((u) => (u.credentials === undefined ? [] : [u.credentials]));
  const [credentials] = given;
  if (credentials === undefined) return;
  const source = config.sources.natsServers;
  const where = source.kind === "file" ? `nats.servers in ${source.name}` : source.name;
  if (given.some((c) => !sameCredentials(c, credentials))) {
    throw new ConfigError(
      `invalid nats.servers: the URLs in ${where} carry different credentials; a connection has one identity, so write the same credentials in each URL, or in none and set NATS_USER and NATS_PASSWORD (or NATS_TOKEN)`,
    );
  }
  const set = (name: "natsUser" | "natsPassword" | "natsToken", value: string) => {
    const other = config.sources[name];
    if (other.kind !== "default") {
      const otherWhere =
        other.kind === "file" ? `${SETTINGS[name].key} in ${other.name}` : other.name;
      throw new ConfigError(
        `invalid ${SETTINGS[name].key}: given both in the URL (${where}) and by ${otherWhere}; keep one`,
      );
    }
    v[name] = value;
    config.sources[name] = source;
  };
  const take = (c: UrlCredentials) => {
    if (c.kind === "token") {
      set("natsToken", c.token);
    } else {
      set("natsUser", c.user);
      set("natsPassword", c.password);
    }
  };
  take(credentials);
  v.natsServers = v.natsServers.map(({ url, tls }) => ({ url, tls }));
  if (source.kind === "flag") {
    config.warnings.push(
      `the credentials in ${where} are visible to every user of this machine (ps); put the URL in NATS_URL or the --config file, or use NATS_USER with NATS_PASSWORD, NATS_TOKEN, or a file`,
    );
  }
}

/** Warns about provider settings given for the provider that is not selected. */
function warnAboutIgnored(config: MutableConfig): void {
  const other = config.values.provider === "aws" ? "sample." : "aws.";
  const ignored = SETTING_NAMES.filter(
    (n) => SETTINGS[n].key.startsWith(other) && config.sources[n].kind !== "default",
  ).map((n) => SETTINGS[n].key);
  if (ignored.length > 0) {
    config.warnings.push(
      `${ignored.join(", ")} ${ignored.length === 1 ? "is" : "are"} ignored: the provider is ${config.values.provider}`,
    );
  }
}

async function resolveSecretFiles(config: MutableConfig, cwd: string): Promise<void> {
  const v = config.values;
  for (const [fileName, secretName] of [
    ["natsPasswordFile", "natsPassword"],
    ["natsTokenFile", "natsToken"],
    ["externalIdFile", "externalId"],
  ] as const) {
    const path = v[fileName];
    if (path === undefined) continue;
    const full = resolve(cwd, path);
    v[fileName] = full;
    v[secretName] = await readSecretFile(SETTINGS[fileName], full);
    config.sources[secretName] = { kind: "file", name: full };
  }
  for (const name of [
    "natsNkeySeedFile",
    "natsCredsFile",
    "natsTlsCa",
    "natsTlsCert",
    "natsTlsKey",
  ] as const) {
    const path = v[name];
    if (path === undefined) continue;
    v[name] = resolve(cwd, path);
    await checkReadable(SETTINGS[name], v[name]);
  }
}

function validate(config: LoadedConfig): void {
  const v = config.values;
  if ((v.natsTlsCert === undefined) !== (v.natsTlsKey === undefined)) {
    throw new ConfigError(
      "invalid nats.tls: a client certificate needs its key; give both --nats-tls-cert and --nats-tls-key, or neither",
    );
  }
  if (v.natsUser !== undefined && v.natsPassword === undefined) {
    throw new ConfigError(
      "invalid nats.user: a user needs a password; set NATS_PASSWORD or --nats-password-file",
    );
  }
  const auth = [
    v.natsUser !== undefined ? "user/password" : "",
    v.natsToken !== undefined ? "token" : "",
    v.natsNkeySeedFile !== undefined ? "nkey seed file" : "",
    v.natsCredsFile !== undefined ? "creds file" : "",
  ].filter((a) => a !== "");
  if (auth.length > 1) {
    throw new ConfigError(
      `invalid nats authentication: ${auth.join(" and ")} are all set; keep exactly one`,
    );
  }
  if (v.publishAckTimeout > v.publishDeadline) {
    throw new ConfigError(
      `invalid publish.ack_timeout: ${formatDuration(v.publishAckTimeout)} is longer than publish.deadline (${formatDuration(v.publishDeadline)}), so no publish would be retried; make the ack timeout shorter than the deadline`,
    );
  }
  if (v.streamMaxAge > 0 && v.streamDuplicateWindow > v.streamMaxAge) {
    throw new ConfigError(
      `invalid stream.duplicate_window: ${formatDuration(v.streamDuplicateWindow)} is longer than stream.max_age (${formatDuration(v.streamMaxAge)}), which JetStream refuses; raise the max age or shorten the window (it must still exceed publish.deadline)`,
    );
  }
  if (v.streamDuplicateWindow < v.publishDeadline) {
    throw new ConfigError(
      `invalid stream.duplicate_window: ${formatDuration(v.streamDuplicateWindow)} is shorter than publish.deadline (${formatDuration(v.publishDeadline)}), so a retried publish could be stored twice; make the window longer than the deadline`,
    );
  }
  if (v.externalId !== undefined && v.assumeRoles.length === 0 && v.orgRole === undefined) {
    throw new ConfigError(
      "invalid aws.external_id: an external id is only used when assuming roles; add --assume-role ARN or --org-role NAME, or drop the external id",
    );
  }
  for (const name of ["orgInclude", "orgExclude"] as const) {
    if (v[name].length > 0 && v.orgRole === undefined) {
      throw new ConfigError(
        `invalid ${SETTINGS[name].key}: it selects accounts of the organisation, which only --org-role NAME scans; add --org-role or drop --${SETTINGS[name].flag}`,
      );
    }
  }
  const both = v.orgInclude.filter((id) => v.orgExclude.includes(id));
  if (both.length > 0) {
    throw new ConfigError(
      `invalid aws.org_exclude: ${both.join(", ")} ${both.length === 1 ? "is" : "are"} both included and excluded; keep each account in one of --org-include and --org-exclude`,
    );
  }
}

/** The groups whose settings apply to a command; used by help and `config`. */
export function settingsOf(groups: readonly OptionGroup[]): SettingName[] {
  return SETTING_NAMES.filter((n) => groups.includes(SETTINGS[n].group));
}

/** The effective configuration as text lines `key = value  (source)`, secrets redacted. */
export function describeConfig(
  config: LoadedConfig,
  names: readonly SettingName[] = SETTING_NAMES,
): string[] {
  const width = Math.max(...names.map((n) => SETTINGS[n].key.length));
  return names.map((name) => {
    const setting = SETTINGS[name] as Setting<unknown>;
    const value = config.values[name];
    const shown =
      setting.secret && value !== undefined ? REDACTED : setting.format(value) || "(unset)";
    const src = config.sources[name];
    const from = src.kind === "default" ? "default" : `${src.kind} ${src.name}`;
    return `${setting.key.padEnd(width)}  ${shown}  (${from})`;
  });
}

/** The effective configuration as a JSON-ready object, secrets redacted. */
export function configObject(config: LoadedConfig): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of SETTING_NAMES) {
    const setting = SETTINGS[name] as Setting<unknown>;
    const value = config.values[name];
    out[setting.key] = setting.secret && value !== undefined ? REDACTED : setting.format(value);
  }
  return out;
}
