import { describe, expect, it } from "vitest";
import { checkNatsUrl } from "../../src/config/nats-url.ts";

const problem = (url: string) => {
  const r = checkNatsUrl(url);
  return r.ok ? "" : r.problem;
};

describe("NATS server URLs", () => {
  it("accept nats:// and tls:// with a host and an optional port, IPv6 included", () => {
    expect(checkNatsUrl("nats://n.example:4222")).toEqual({
      ok: true,
      value: { url: "nats://n.example:4222", tls: false },
    });
    expect(checkNatsUrl("TLS://n.example")).toEqual({
      ok: true,
      value: { url: "tls://n.example", tls: true },
    });
    expect(checkNatsUrl("nats://[::1]:4222/")).toMatchObject({
      ok: true,
      value: { url: "nats://[::1]:4222" },
    });
  });

  it("take credentials out: user and password, percent-decoded, or a token", () => {
    expect(checkNatsUrl("nats://alice:p%40ss@h:4222")).toEqual({
      ok: true,
      value: {
        url: "nats://h:4222",
        tls: false,
        credentials: { kind: "user", user: "alice", password: "p@ss" },
      },
    });
    expect(checkNatsUrl("nats://t0ken@h")).toMatchObject({
      value: { url: "nats://h", credentials: { kind: "token", token: "t0ken" } },
    });
  });

  it.each([
    ["htp://h:4222", 'the scheme "htp"'],
    ["ws://h:8080", "websocket URL"],
    ["wss://h", "websocket URL"],
    ["h:4222", "has no scheme"],
    ["nats://:4222", "has no host"],
    ["nats://", "has no host"],
    ["nats://h:0", 'the port "0"'],
    ["nats://h:99999", 'the port "99999"'],
    ["nats://h:42a", 'the port "42a"'],
    ["nats://h:4222/path", "path, query or fragment"],
    ["nats://h:4222?x=1", "path, query or fragment"],
    ["nats://bad host:4222", "not a host name"],
  ])("reject %s, saying why", (url, expected) => {
    expect(problem(url)).toContain(expected);
  });

  it("never quote the credentials in a problem", () => {
    expect(problem("htp://alice:pw-url-1@h")).not.toContain("pw-url-1");
    expect(problem("nats://alice:pw-url-2@h:99999")).not.toContain("pw-url-2");
  });
});
