/** Rewrites the settings table of docs/operations.md from the settings (`npm run docs:settings`). */
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { withReference } from "../src/config/reference.ts";

const file = join(import.meta.dirname, "..", "docs", "operations.md");
await writeFile(file, withReference(await readFile(file, "utf8")));
