import { Hono } from "hono";
import { z } from "zod";
import { visibilities } from "../../../db/schema/statuses.ts";
import type { AppDeps } from "../../../deps.ts";
import { AppError } from "../../../lib/errors.ts";
import { type Account, getAccount } from "../../../services/accounts/accounts.ts";
import {
  localUserOf,
  removeProfileImage,
  updateProfile,
} from "../../../services/accounts/profile.ts";
import { countFollowRequests } from "../../../services/follows/follows.ts";
import { IMAGE_MAX_BYTES } from "../../../services/media/media.ts";
import { type CredentialAccount, serializeOneAccount } from "../entities/account.ts";
import type { ApiEnv } from "../env.ts";
import { currentAccount, requireScope } from "../middleware/auth.ts";
import { readUpload } from "../upload.ts";

const boolish = z
  .union([z.boolean(), z.enum(["true", "false", "1", "0"])])
  .transform((v) => v === true || v === "true" || v === "1");
const field = z.object({ name: z.string().default(""), value: z.string().default("") }).strict();

const credentialsBody = z
  .object({
    display_name: z.string().max(1_000).optional(),
    note: z.string().max(10_000).optional(),
    locked: boolish.optional(),
    bot: boolish.optional(),
    discoverable: boolish.optional(),
    indexable: boolish.optional(),
    hide_collections: boolish.optional(),
    // An array (JSON) or an object keyed 0..3 (forms: fields_attributes[0][name]=...).
    fields_attributes: z
      .union([z.array(field), z.record(z.string().regex(/^\d{1,2}$/), field)])
      .transform((v) =>
        Array.isArray(v)
          ? v
          : Object.entries(v)
              .sort(([a], [b]) => Number(a) - Number(b))
              .map(([, f]) => f),
      )
      .optional(),
    source: z
      .object({
        privacy: z.enum(visibilities).optional(),
        sensitive: boolish.optional(),
        language: z
          .union([z.literal(""), z.string().regex(/^[a-zA-Z]{2,3}(-[a-zA-Z0-9]+)*$/)])
          .transform((v) => v || null)
          .optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

/** An unsupported parameter is named in a 422, never dropped. */
function parse(fields: Record<string, unknown>) {
  const parsed = credentialsBody.safeParse(fields);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue.path.length ? `${issue.path.join(".")}: ` : "";
  if (issue.code === "unrecognized_keys")
    throw new AppError(
      422,
      `Validation failed: unsupported parameter ${where}${issue.keys.join(", ")}`,
    );
  throw new AppError(422, `Validation failed: ${where}${issue.message}`);
}

/** verify_credentials, update_credentials and the profile pictures. */
export function credentialsRouter(deps: AppDeps): {
  accounts: Hono<ApiEnv>;
  profile: Hono<ApiEnv>;
} {
  const { db, config } = deps;
  const credentialAccount = async (account: Account): Promise<CredentialAccount> => {
    const [serialized, requests, user] = await Promise.all([
      serializeOneAccount(db, account, config.publicUrl),
      countFollowRequests(db, account.id),
      localUserOf(db, account.id),
    ]);
    return {
      ...serialized,
      source: {
        privacy: user?.defaultPrivacy ?? "public",
        sensitive: user?.defaultSensitive ?? false,
        language: user?.defaultLanguage ?? null,
        note: user?.noteSource ?? "",
        // The sources are the non-empty fields, in the same order as the rendered ones.
        fields: (user?.fieldsSource ?? []).map((f, i) => ({
          ...f,
          verified_at: account.fields[i]?.verifiedAt ?? null,
        })),
        follow_requests_count: requests,
      },
    };
  };

  const accounts = new Hono<ApiEnv>();
  accounts.get("/verify_credentials", requireScope("read:accounts"), async (c) =>
    c.json(await credentialAccount(currentAccount(c))),
  );
  accounts.patch("/update_credentials", requireScope("write:accounts"), async (c) => {
    const me = currentAccount(c);
    const upload = await readUpload(c, 2 * IMAGE_MAX_BYTES);
    const unknownFile = [...upload.files.keys()].find((k) => k !== "avatar" && k !== "header");
    if (unknownFile)
      throw new AppError(422, `Validation failed: unsupported parameter ${unknownFile}`);
    const body = parse(upload.fields);
    await updateProfile(db, config, me, {
      displayName: body.display_name,
      note: body.note,
      locked: body.locked,
      bot: body.bot,
      discoverable: body.discoverable,
      indexable: body.indexable,
      hideCollections: body.hide_collections,
      fields: body.fields_attributes,
      avatar: upload.files.get("avatar"),
      header: upload.files.get("header"),
      privacy: body.source?.privacy,
      sensitive: body.source?.sensitive,
      language: body.source?.language,
    });
    return c.json(await credentialAccount(await getAccount(db, me.id)));
  });

  const profile = new Hono<ApiEnv>();
  for (const kind of ["avatar", "header"] as const)
    profile.delete(`/${kind}`, requireScope("write:accounts"), async (c) => {
      const me = currentAccount(c);
      await removeProfileImage(db, me, kind);
      return c.json(await credentialAccount(await getAccount(db, me.id)));
    });
  return { accounts, profile };
}
