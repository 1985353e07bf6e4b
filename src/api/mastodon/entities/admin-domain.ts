import { createHash } from "node:crypto";
import type { DomainAllow } from "../../../services/safety/admin-domains.ts";
import type { DomainBlock } from "../../../services/safety/server-domains.ts";

/** Mastodon's Admin::DomainBlock. */
export interface AdminDomainBlock {
  id: string;
  domain: string;
  /** SHA-256 of the domain, as in the public listing. */
  digest: string;
  created_at: string;
  severity: "silence" | "suspend" | "noop";
  reject_media: boolean;
  reject_reports: boolean;
  private_comment: string | null;
  public_comment: string | null;
  obfuscate: boolean;
}

/** Mastodon's Admin::DomainAllow. */
export interface AdminDomainAllow {
  id: string;
  domain: string;
  created_at: string;
}

export function serializeAdminDomainBlock(b: DomainBlock): AdminDomainBlock {
  return {
    id: b.id,
    domain: b.domain,
    digest: createHash("sha256").update(b.domain).digest("hex"),
    created_at: b.createdAt.toISOString(),
    severity: b.severity,
    reject_media: b.rejectMedia,
    reject_reports: b.rejectReports,
    private_comment: b.privateComment,
    public_comment: b.publicComment,
    obfuscate: b.obfuscate,
  };
}

export function serializeAdminDomainAllow(a: DomainAllow): AdminDomainAllow {
  return { id: a.id, domain: a.domain, created_at: a.createdAt.toISOString() };
}
