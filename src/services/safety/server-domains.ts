import { createHash } from "node:crypto";
import { type AnyColumn, asc, eq, type SQL, sql } from "drizzle-orm";
import type { Db, Tx } from "../../db/client.ts";
import {
  accounts,
  type DomainBlockSeverity,
  domainAllows,
  domainBlocks,
} from "../../db/schema/index.ts";
import { AppError } from "../../lib/errors.ts";
import { newId } from "../../lib/ids.ts";
import { deleteRemoteAccount } from "../accounts/accounts.ts";
import { type AdminActor, audit } from "../admin/audit.ts";
import { enqueueJob } from "../jobs.ts";

export type DomainBlock = typeof domainBlocks.$inferSelect;

/** A host as stored: lower case, no trailing dot; a port stays (accounts keep `host:port`). */
export function normalizeDomain(input: string): string {
  const domain = input.trim().toLowerCase().replace(/\.$/, "");
  if (!/^[a-z0-9.-]+(:\d{1,5})?$/.test(domain) || (!domain.includes(".") && !domain.includes(":")))
    throw new AppError(422, "domain must be a host name such as example.com");
  return domain;
}

/** SQL: the host in `host` is `domain` or one of its subdomains. */
const coveredBy = (host: SQL | AnyColumn, domain: SQL | AnyColumn) =>
  sql`(${host} = ${domain} or ${host} like '%.' || ${domain})`;

export interface DomainBlockInput {
  domain: string;
  severity?: DomainBlockSeverity;
  rejectMedia?: boolean;
  rejectReports?: boolean;
  publicComment?: string | null;
  privateComment?: string | null;
  obfuscate?: boolean;
}

/**
 * Blocks (or changes the block of) a domain for the whole server. Suspending also queues the
 * purge of its accounts, their posts and follows (reject_media the removal of the copies of its
 * media: services/media/rejected-domains.ts); its inbox POSTs, deliveries to it and fetches
 * from it stop as soon as the policy cache of each process refreshes (see `FederationPolicy`).
 */
export async function blockDomain(
  db: Db,
  input: DomainBlockInput,
  actorId: AdminActor,
): Promise<DomainBlock> {
  const domain = normalizeDomain(input.domain);
  const values = {
    severity: input.severity ?? "silence",
    rejectMedia: input.rejectMedia ?? false,
    rejectReports: input.rejectReports ?? false,
    publicComment: input.publicComment ?? null,
    privateComment: input.privateComment ?? null,
    obfuscate: input.obfuscate ?? false,
  };
  const row = await db.transaction(async (tx) => {
    const [saved] = await tx
      .insert(domainBlocks)
      .values({ id: newId(), domain, ...values })
      .onConflictDoUpdate({
        target: domainBlocks.domain,
        set: { ...values, updatedAt: new Date() },
      })
      .returning();
    if (saved.severity === "suspend") await enqueueJob(tx, { type: "domain.purge", domain });
    else if (saved.rejectMedia) await enqueueJob(tx, { type: "domain.clear_media", domain });
    await audit(tx, {
      actorId,
      action: "domain_block.save",
      targetType: "domain_block",
      targetId: saved.id,
      targetLabel: domain,
      detail: { ...values },
    });
    return saved;
  });
  invalidatePolicies();
  return row;
}

export function unblockDomain(db: Db, input: string, actorId: AdminActor): Promise<boolean> {
  const domain = normalizeDomain(input);
  return changeDomainList(db, actorId, "domain_block.remove", "domain_block", (tx) =>
    tx.delete(domainBlocks).where(eq(domainBlocks.domain, domain)).returning(),
  );
}

export async function allowDomain(db: Db, input: string, actorId: AdminActor): Promise<void> {
  const domain = normalizeDomain(input);
  await changeDomainList(db, actorId, "domain_allow.add", "domain_allow", (tx) =>
    tx.insert(domainAllows).values({ id: newId(), domain }).onConflictDoNothing().returning(),
  );
}

export function disallowDomain(db: Db, input: string, actorId: AdminActor): Promise<boolean> {
  const domain = normalizeDomain(input);
  return changeDomainList(db, actorId, "domain_allow.remove", "domain_allow", (tx) =>
    tx.delete(domainAllows).where(eq(domainAllows.domain, domain)).returning(),
  );
}

/**
 * One change to a server domain list with an audit row per row it touched, in one transaction;
 * then every process's policy refreshes. True when a row changed.
 */
async function changeDomainList(
  db: Db,
  actorId: AdminActor,
  action: string,
  targetType: "domain_block" | "domain_allow",
  change: (tx: Tx) => Promise<{ id: string; domain: string }[]>,
): Promise<boolean> {
  const changed = await db.transaction(async (tx) => {
    const rows = await change(tx);
    for (const row of rows)
      await audit(tx, { actorId, action, targetType, targetId: row.id, targetLabel: row.domain });
    return rows.length > 0;
  });
  invalidatePolicies();
  return changed;
}

export async function listDomainBlocks(db: Tx): Promise<DomainBlock[]> {
  return db.select().from(domainBlocks).orderBy(asc(domainBlocks.domain));
}

/** Mastodon's `/api/v1/instance/domain_blocks` entry. */
export interface PublicDomainBlock {
  domain: string;
  digest: string;
  severity: DomainBlockSeverity;
  comment: string | null;
}

/** Stars out the middle of each label, as Mastodon's obfuscation does (`ex****e.com`). */
export function obfuscateDomain(domain: string): string {
  return domain
    .split(".")
    .map((label, i, all) =>
      i === all.length - 1 || label.length <= 2
        ? label
        : `${label[0]}${"*".repeat(label.length - 2)}${label[label.length - 1]}`,
    )
    .join(".");
}

/** The public listing: the SHA-256 of the real name lets others check a domain they know. */
export async function publicDomainBlocks(db: Tx): Promise<PublicDomainBlock[]> {
  const rows = await listDomainBlocks(db);
  return rows
    .filter((r) => r.severity !== "noop")
    .map((r) => ({
      domain: r.obfuscate ? obfuscateDomain(r.domain) : r.domain,
      digest: createHash("sha256").update(r.domain).digest("hex"),
      severity: r.severity,
      comment: r.publicComment,
    }));
}

/** SQL: the author's domain is silenced (or suspended) by the server: kept off public timelines. */
export function silencedAuthor(accountId: AnyColumn | SQL): SQL {
  return sql`exists (select 1 from accounts sa join domain_blocks sd on ${coveredBy(sql`sa.domain`, sql`sd.domain`)}
    where sa.id = ${accountId} and sd.severity in ('silence', 'suspend'))`;
}

/** The suspended domain's accounts go one by one (each with its posts, follows and counters). */
export async function purgeDomain(db: Db, domain: string): Promise<number> {
  const [still] = await db.select().from(domainBlocks).where(eq(domainBlocks.domain, domain));
  if (still?.severity !== "suspend") return 0; // unblocked or softened before the job ran
  const doomed = await db
    .select({ id: accounts.id })
    .from(accounts)
    .where(coveredBy(accounts.domain, sql`${domain}`));
  for (const a of doomed) await deleteRemoteAccount(db, a.id);
  return doomed.length;
}

/** How long a process trusts its copy of the domain lists (the CLI writes from elsewhere). */
export const POLICY_REFRESH_MS = 5_000;

/** This process's policies, told at once of a change made here (weakly held: tests make many). */
const policies = new Set<WeakRef<FederationPolicy>>();
function invalidatePolicies() {
  for (const ref of policies) {
    const policy = ref.deref();
    if (policy) policy.invalidate();
    else policies.delete(ref);
  }
}

/**
 * Which hosts this server refuses to federate with: suspended domains (and their subdomains),
 * and in allowlist mode every domain not allowed. Kept in memory and refreshed from the tables
 * at most every POLICY_REFRESH_MS, so the inbox guard, the delivery queue and the fetch guard
 * ask it on every request for the price of a walk over a short list in memory.
 */
export class FederationPolicy {
  readonly #db: Db;
  readonly #mode: "blocklist" | "allowlist";
  readonly #localHost: string;
  #suspended = new Set<string>();
  #allowed = new Set<string>();
  #loadedAt = 0;
  #loading: Promise<void> | null = null;

  constructor(db: Db, mode: "blocklist" | "allowlist", localHost: string) {
    this.#db = db;
    this.#mode = mode;
    this.#localHost = localHost.toLowerCase();
    policies.add(new WeakRef(this));
  }

  invalidate(): void {
    this.#loadedAt = 0;
  }

  async #fresh(): Promise<void> {
    if (Date.now() - this.#loadedAt < POLICY_REFRESH_MS) return;
    this.#loading ??= (async () => {
      const [blocked, allowed] = await Promise.all([
        this.#db
          .select({ domain: domainBlocks.domain })
          .from(domainBlocks)
          .where(eq(domainBlocks.severity, "suspend")),
        this.#mode === "allowlist"
          ? this.#db.select({ domain: domainAllows.domain }).from(domainAllows)
          : [],
      ]);
      this.#suspended = new Set(blocked.map((r) => r.domain));
      this.#allowed = new Set(allowed.map((r) => r.domain));
      this.#loadedAt = Date.now();
    })().finally(() => {
      this.#loading = null;
    });
    await this.#loading;
  }

  /** True when nothing may come from or go to `host` (a URL host, port included). */
  async refuses(host: string): Promise<boolean> {
    const h = host.toLowerCase();
    if (h === this.#localHost) return false;
    await this.#fresh();
    const covered = (set: Set<string>) => {
      const hostname = h.replace(/:\d+$/, "");
      for (const d of set) {
        if (h === d || hostname === d || h.endsWith(`.${d}`) || hostname.endsWith(`.${d}`))
          return true;
      }
      return false;
    };
    if (covered(this.#suspended)) return true;
    return this.#mode === "allowlist" && !covered(this.#allowed);
  }
}

const perDatabase = new WeakMap<Db, FederationPolicy>();

/** The one policy of a database in this process (the inbox guard, queue and fetch share it). */
export function federationPolicy(
  db: Db,
  config: { federationMode: "blocklist" | "allowlist"; host: string },
): FederationPolicy {
  let policy = perDatabase.get(db);
  if (!policy) {
    policy = new FederationPolicy(db, config.federationMode, config.host);
    perDatabase.set(db, policy);
  }
  return policy;
}
