/**
 * The settings table as documentation: the Markdown table of every setting in
 * docs/operations.md is generated from SETTINGS (`npm run docs:settings`), and a test
 * fails when the file holds another, so the documented flags, variables, keys and
 * defaults are the tool's.
 */
import { SETTING_NAMES, SETTINGS, type Setting } from "./settings.ts";

/** The lines that enclose the generated table in a Markdown file. */
export const REFERENCE_BEGIN =
  "<!-- settings:begin (generated from src/config/settings.ts by npm run docs:settings) -->";
export const REFERENCE_END = "<!-- settings:end -->";

const cell = (text: string) => text.replaceAll("|", "\\|");

/** A setting's default as documentation shows it; empty when it has none. */
export function documentedDefault(setting: Setting<unknown>): string {
  if (setting.default === undefined || setting.switch) return "";
  return setting.format(setting.default);
}

/** The Markdown table of every setting: key, flag, environment, default, meaning. */
export function settingsReference(): string {
  const rows = SETTING_NAMES.map((name) => {
    const s = SETTINGS[name] as Setting<unknown>;
    const flag =
      s.flag === undefined
        ? "(none: a secret)"
        : `\`--${s.flag}${s.switch ? "" : ` ${s.placeholder}`}\``;
    const dflt = documentedDefault(s);
    return `| \`${s.key}\` | ${cell(flag)} | ${s.env.map((e) => `\`${e}\``).join(", ")} | ${dflt === "" ? "" : `\`${cell(dflt)}\``} | ${cell(s.help)} |`;
  });
  return [
    "| key in the `--config` file | flag | environment | default | meaning |",
    "| --- | --- | --- | --- | --- |",
    ...rows,
  ].join("\n");
}

/** `text` with the generated table between its markers replaced by the current one. */
export function withReference(text: string): string {
  const begin = text.indexOf(REFERENCE_BEGIN);
  const end = text.indexOf(REFERENCE_END);
  if (begin < 0 || end < begin) {
    throw new Error(`the file has no ${REFERENCE_BEGIN} ... ${REFERENCE_END} block`);
  }
  return `${text.slice(0, begin)}${REFERENCE_BEGIN}\n${settingsReference()}\n${text.slice(end)}`;
}
