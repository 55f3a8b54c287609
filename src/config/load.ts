/**
 * Loads the effective configuration: for each setting the first of its flag, its
 * environment variables, the YAML file (`--config` or `ELAVA_CONFIG`) and its default.
 * Everything is validated here, before the CLI connects to anything: a wrong value is a
 * ConfigError naming the setting, where the value came from, what was wrong and an
 * example of a right one.
 */
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { parse as parseYaml } from "yaml";
import { ConfigError, errorMessage } from "../errors.ts";
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

const REDACTED = "<redacted>";

function describeRaw(setting: Setting<unknown>, raw: string): string {
  return setting.secret ? REDACTED : JSON.stringify(raw);
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
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new ConfigError(`config file ${path} is not valid YAML: ${errorMessage(err)}`);
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
  };
  await resolveSecretFiles(config, input.cwd);
  validate(config);
  return config;
}

async function resolveSecretFiles(
  config: { values: ConfigValues; sources: Record<SettingName, ValueSource> },
  cwd: string,
): Promise<void> {
  const v = config.values;
  for (const [fileName, secretName] of [
    ["natsPasswordFile", "natsPassword"],
    ["natsTokenFile", "natsToken"],
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
  if (v.streamDuplicateWindow < v.publishDeadline) {
    throw new ConfigError(
      `invalid stream.duplicate_window: ${v.streamDuplicateWindow}ms is shorter than publish.deadline (${v.publishDeadline}ms), so a retried publish could be stored twice; make the window longer than the deadline`,
    );
  }
  if (v.externalId !== undefined && v.assumeRoles.length === 0) {
    throw new ConfigError(
      "invalid aws.external_id: an external id is only used when assuming roles; add --assume-role ARN or drop --external-id",
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
