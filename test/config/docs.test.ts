/**
 * The documentation says what the tool does: the settings table of docs/operations.md is
 * the generated one, and every default the prose quotes ("`--concurrency` (default 64)")
 * names a setting and is that setting's default.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  documentedDefault,
  REFERENCE_BEGIN,
  REFERENCE_END,
  settingsReference,
} from "../../src/config/reference.ts";
import { SETTING_NAMES, SETTINGS, type Setting } from "../../src/config/settings.ts";

const ROOT = join(import.meta.dirname, "..", "..");
const PROSE = ["README.md", "docs/operations.md", "docs/benchmarks.md"];

/** The setting a backticked token names: `--flag`, a key, or the last part of a key. */
function settingNamed(token: string): Setting<unknown> | undefined {
  const all = SETTING_NAMES.map((n) => SETTINGS[n] as Setting<unknown>);
  if (token.startsWith("--")) return all.find((s) => s.flag === token.slice(2));
  return all.find((s) => s.key === token) ?? all.find((s) => s.key.endsWith(`.${token}`));
}

/** Every default quoted in `text`: the setting's token, the value, and where. */
function quotedDefaults(text: string): Array<{ token: string; value: string; at: string }> {
  const found: Array<{ token: string; value: string; at: string; index: number }> = [];
  // `--concurrency` (default 64), `max_age` (default 7d), `--publish-window` messages (default 1024
  for (const m of text.matchAll(/`([^`\s]+)`[^`]{0,60}?\bdefault\s+([0-9][^\s,;)]*)/gu)) {
    found.push({ token: m[1] ?? "", value: m[2] ?? "", at: m[0], index: m.index ?? 0 });
  }
  // the CLI's default `--concurrency` (64)
  for (const m of text.matchAll(/\bdefault `(--[a-z-]+)` \(([^)]+)\)/gu)) {
    found.push({ token: m[1] ?? "", value: m[2] ?? "", at: m[0], index: m.index ?? 0 });
  }
  // Any other "default <number>" names no setting the test can check: it fails below.
  for (const m of text.matchAll(/\bdefault\s+([0-9][^\s,;)]*)/gu)) {
    const end = (m.index ?? 0) + m[0].length;
    if (!found.some((f) => f.index <= (m.index ?? 0) && f.index + f.at.length >= end)) {
      found.push({
        token: "",
        value: m[1] ?? "",
        at: text.slice((m.index ?? 0) - 60, end),
        index: 0,
      });
    }
  }
  return found;
}

describe("docs/operations.md", () => {
  it("holds the settings table generated from the settings (npm run docs:settings)", async () => {
    const text = await readFile(join(ROOT, "docs", "operations.md"), "utf8");
    const block = text.slice(
      text.indexOf(REFERENCE_BEGIN) + REFERENCE_BEGIN.length + 1,
      text.indexOf(REFERENCE_END) - 1,
    );
    expect(block, "stale: run npm run docs:settings").toBe(settingsReference());
    for (const name of SETTING_NAMES) expect(block).toContain(`| \`${SETTINGS[name].key}\` |`);
  });
});

describe("defaults quoted in prose", () => {
  it.each(PROSE)("%s quotes only real settings with their real defaults", async (file) => {
    const text = await readFile(join(ROOT, file), "utf8");
    const quoted = quotedDefaults(text);
    for (const q of quoted) {
      const setting = settingNamed(q.token);
      expect(setting, `"${q.at}" names no setting`).toBeDefined();
      if (setting !== undefined) {
        expect(q.value, `"${q.at}": the default of ${setting.key}`).toBe(
          documentedDefault(setting),
        );
      }
    }
  });

  it("are found where the docs quote them", async () => {
    const operations = quotedDefaults(await readFile(join(ROOT, "docs", "operations.md"), "utf8"));
    expect(operations.map((q) => q.token)).toEqual(
      expect.arrayContaining(["--interval", "--shutdown-grace", "--publish-window", "max_age"]),
    );
  });
});
