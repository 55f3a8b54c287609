import { describe, expect, it } from "vitest";
import { redactText, redactUrl } from "../../src/util/redact.ts";

describe("redaction", () => {
  it("keeps a URL's user name, hides its password or token, and leaves plain URLs alone", () => {
    expect(redactUrl("nats://alice:s3cret@h:4222")).toBe("nats://alice:<redacted>@h:4222");
    expect(redactUrl("nats://tok@h:4222")).toBe("nats://<redacted>@h:4222");
    expect(redactUrl("nats://h:4222")).toBe("nats://h:4222");
    expect(redactUrl("nats://a:p1@x:1,tls://b:p2@y:2")).toBe(
      "nats://a:<redacted>@x:1,tls://b:<redacted>@y:2",
    );
  });

  it("stays inside one quoted value of a JSON line and one URL of a sentence", () => {
    const json = JSON.stringify({ url: "nats://h:4222", contact: "ops@example.com" });
    expect(redactText(json)).toBe(json);
    expect(redactText('at "nats://u:p@h:4222" and mail ops@example.com')).toBe(
      'at "nats://u:<redacted>@h:4222" and mail ops@example.com',
    );
  });

  it("hides NKey seeds of every key type, not public keys", () => {
    const tail = "A".repeat(56);
    for (const t of "UAONCXP") expect(redactText(`seed S${t}${tail}`)).toBe("seed <redacted>");
    const publicKey = `U${"A".repeat(55)}`;
    expect(redactText(publicKey)).toBe(publicKey);
  });
});
