/**
 * Builds the Go reference publisher (bench/go-reference/main.go) into a temporary
 * directory, offline, from Debian's packages: `golang-go` for the compiler and
 * `golang-github-nats-io-go-nats-dev` for nats.go (with nuid and nkeys) under
 * /usr/share/gocode, built in GOPATH mode. When either is missing the bench installs both
 * with apt-get if it runs as root (as scripts/ci.sh installs nats-server), and otherwise
 * reports the Go reference as unavailable, saying why and how to fix it, and measures the
 * rest.
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** Where Debian's Go packages put their sources: the GOPATH of the build. */
export const DEBIAN_GOPATH = "/usr/share/gocode";
export const GO_PACKAGES = ["golang-go", "golang-github-nats-io-go-nats-dev"] as const;

const SOURCE_DIR = fileURLToPath(new URL("go-reference/", import.meta.url));
const NATS_GO = join(DEBIAN_GOPATH, "src/github.com/nats-io/nats.go");

/** What the machine has, for deciding how to get a Go reference. */
export interface GoToolchain {
  readonly go: boolean;
  readonly natsGo: boolean;
  /** Root with apt-get on PATH: the packages can be installed. */
  readonly canInstall: boolean;
}

/** What to do: build now, install the packages first, or report why not. */
export type GoPlan =
  | { readonly action: "build" }
  | { readonly action: "install"; readonly packages: readonly string[] }
  | { readonly action: "unavailable"; readonly reason: string };

/** Decides how to get the Go reference on a machine. */
export function planGoReference(t: GoToolchain): GoPlan {
  if (t.go && t.natsGo) return { action: "build" };
  if (t.canInstall) return { action: "install", packages: GO_PACKAGES };
  const missing = [
    t.go ? undefined : "the go command",
    t.natsGo ? undefined : `nats.go under ${DEBIAN_GOPATH}`,
  ].filter((m) => m !== undefined);
  return {
    action: "unavailable",
    reason: `no ${missing.join(" and ")}; install the Debian packages ${GO_PACKAGES.join(" and ")} (apt-get install, as root) to measure the Go reference`,
  };
}

function onPath(command: string): boolean {
  try {
    execFileSync("sh", ["-c", `command -v ${command}`], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

function toolchain(): GoToolchain {
  return {
    go: onPath("go"),
    natsGo: existsSync(NATS_GO),
    canInstall: process.getuid?.() === 0 && onPath("apt-get"),
  };
}

/** The built reference, or why there is none. */
export type GoReference =
  | { readonly binary: string; readonly version: string }
  | { readonly unavailable: string };

/** Builds the Go reference into `dir`, installing its packages first when it may. */
export function buildGoReference(dir: string, log: (line: string) => void): GoReference {
  let plan = planGoReference(toolchain());
  if (plan.action === "install") {
    log(`publish: installing ${plan.packages.join(" ")} from Debian for the Go reference`);
    try {
      const apt = {
        stdio: "ignore",
        env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
      } as const;
      execFileSync("apt-get", ["update", "-qq"], apt);
      execFileSync("apt-get", ["install", "-y", "-qq", ...plan.packages], apt);
    } catch (err) {
      return {
        unavailable: `apt-get install ${plan.packages.join(" ")} failed: ${(err as Error).message}`,
      };
    }
    plan = planGoReference({ ...toolchain(), canInstall: false });
  }
  if (plan.action === "unavailable") return { unavailable: plan.reason };
  const binary = join(dir, "go-reference");
  const env = {
    ...process.env,
    GOPATH: DEBIAN_GOPATH,
    GO111MODULE: "off",
    GOFLAGS: "",
    // Go needs a build cache; without a home directory, one in the temporary directory.
    ...(process.env.GOCACHE === undefined && process.env.HOME === undefined
      ? { GOCACHE: join(dir, "go-cache") }
      : {}),
  };
  try {
    execFileSync("go", ["build", "-o", binary, "."], { cwd: SOURCE_DIR, env, stdio: "pipe" });
    const version = execFileSync("go", ["version"], { env, encoding: "utf8" }).trim();
    return { binary, version };
  } catch (err) {
    const stderr = (err as { stderr?: Buffer }).stderr?.toString().trim() ?? "";
    return {
      unavailable: `go build of bench/go-reference failed: ${stderr || (err as Error).message}`,
    };
  }
}
