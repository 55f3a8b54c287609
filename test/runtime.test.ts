/**
 * The runtime the project runs on is one release, named once: .node-version (Node 24 LTS),
 * which scripts/node.sh fetches when the system's Node is older, the image is built from,
 * and these tests run on.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const read = (path: string) => readFileSync(new URL(`../${path}`, import.meta.url), "utf8");

describe("the Node runtime", () => {
  const pinned = read(".node-version").trim();

  it("is Node 24 LTS, pinned in .node-version", () => {
    expect(pinned).toMatch(/^24\.\d+\.\d+$/u);
  });

  it("is what the tests run on (npm test goes through scripts/with-node.sh)", () => {
    expect(process.versions.node.split(".")[0]).toBe("24");
  });

  it("is the release the image is built from", () => {
    expect(read("Dockerfile")).toMatch(
      new RegExp(`^ARG NODE_VERSION=${pinned.replaceAll(".", "\\.")}$`, "mu"),
    );
    expect(read("Dockerfile")).not.toMatch(/^FROM node:(?!\$\{NODE_VERSION\})/mu);
  });

  it("is within the engines package.json declares, which exclude Node 20", () => {
    const engines = (JSON.parse(read("package.json")) as { engines: { node: string } }).engines;
    expect(engines.node).toBe(">=22.12");
  });
});
