/** `elava config`: the effective configuration, where each value came from, secrets redacted. */
import { configObject, describeConfig } from "../../config/load.ts";
import { type Command, ExitCode } from "../command.ts";

export const command: Command = {
  name: "config",
  summary: "print the effective configuration (secrets redacted) and where each value came from",
  description: `Resolves the configuration exactly as every command does (flags over environment
over the --config file over defaults), validates it, and prints one line per setting:
its key (as in the YAML file), its value and its source. It connects to nothing.

Secrets (the NATS password and token, the AWS external id) are printed as <redacted>;
credentials written into a NATS URL are shown as the user and the password or token
they are used as, redacted. Warnings (credentials on the command line, settings of the
provider not selected) go to stderr. Exits 2 when the configuration is invalid, naming
the setting and the fix.`,
  groups: ["nats", "stream", "stream-settings", "provider", "scan", "daemon", "read"],
  options: { json: { type: "boolean", help: "print a JSON object keyed by setting" } },
  async run(ctx) {
    if (ctx.args.flag("json")) {
      ctx.stdout.write(`${JSON.stringify(configObject(ctx.config), null, 2)}\n`);
    } else {
      if (ctx.config.file !== undefined) ctx.stdout.write(`# config file: ${ctx.config.file}\n`);
      ctx.stdout.write(`${describeConfig(ctx.config).join("\n")}\n`);
    }
    return ExitCode.Ok;
  },
};
