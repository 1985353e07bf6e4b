import { parseArgs } from "node:util";
import type { Db } from "../db/client.ts";
import { type DomainBlockSeverity, domainBlockSeverities } from "../db/schema/index.ts";
import {
  allowDomain,
  blockDomain,
  disallowDomain,
  unblockDomain,
} from "../services/safety/server-domains.ts";

/** `tern domain block|unblock|allow|disallow <domain> [options]`, parsed. */
export type DomainCommand =
  | {
      kind: "domain-block";
      domain: string;
      severity: DomainBlockSeverity;
      rejectMedia: boolean;
      rejectReports: boolean;
      publicComment: string | null;
      privateComment: string | null;
      obfuscate: boolean;
    }
  | { kind: "domain-unblock" | "domain-allow" | "domain-disallow"; domain: string };

export const DOMAIN_USAGE = `  tern domain block <domain> [--severity silence|suspend|noop]
      [--reject-media] [--reject-reports] [--public-comment <text>]
      [--private-comment <text>] [--obfuscate]
      Block a domain (and its subdomains) for the whole server; suspend also purges its data,
      --reject-media stops fetching and copying its media.
  tern domain unblock <domain>
      Take a server block back.
  tern domain allow|disallow <domain>
      Add or remove a domain of the allow-list (FEDERATION_MODE=allowlist).
`;

/** Throws a plain Error with the reason for bad input (the CLI prints it). */
export function parseDomainCommand(argv: string[]): DomainCommand {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      severity: { type: "string" },
      "reject-media": { type: "boolean" },
      "reject-reports": { type: "boolean" },
      "public-comment": { type: "string" },
      "private-comment": { type: "string" },
      obfuscate: { type: "boolean" },
    },
  });
  const [, action, domain, ...extra] = positionals;
  if (!["block", "unblock", "allow", "disallow"].includes(action ?? ""))
    throw new Error(`Unknown command: domain ${action ?? ""}. Run "tern help".`);
  if (!domain) throw new Error(`Missing <domain>. Usage: tern domain ${action} <domain>`);
  if (extra.length > 0) throw new Error(`Unexpected argument: ${extra[0]}`);
  if (action !== "block") {
    const given = Object.keys(values);
    if (given.length) throw new Error(`--${given[0]} is for tern domain block`);
    return { kind: `domain-${action}` as "domain-unblock", domain };
  }
  const severity = values.severity ?? "silence";
  if (!(domainBlockSeverities as readonly string[]).includes(severity))
    throw new Error("--severity must be silence, suspend or noop");
  return {
    kind: "domain-block",
    domain,
    severity: severity as DomainBlockSeverity,
    rejectMedia: values["reject-media"] ?? false,
    rejectReports: values["reject-reports"] ?? false,
    publicComment: values["public-comment"] ?? null,
    privateComment: values["private-comment"] ?? null,
    obfuscate: values.obfuscate ?? false,
  };
}

/** Runs it and returns the line to print. */
export async function runDomainCommand(db: Db, command: DomainCommand): Promise<string> {
  switch (command.kind) {
    case "domain-block": {
      const { kind: _, ...input } = command;
      const row = await blockDomain(db, input, null);
      const purge = row.severity === "suspend" ? " (its accounts are being purged)" : "";
      return `Blocked ${row.domain} (${row.severity})${purge}`;
    }
    case "domain-unblock":
      return (await unblockDomain(db, command.domain, null))
        ? `Unblocked ${command.domain}`
        : `${command.domain} was not blocked`;
    case "domain-allow":
      await allowDomain(db, command.domain, null);
      return `Allowed ${command.domain}`;
    case "domain-disallow":
      return (await disallowDomain(db, command.domain, null))
        ? `Disallowed ${command.domain}`
        : `${command.domain} was not allowed`;
  }
}
