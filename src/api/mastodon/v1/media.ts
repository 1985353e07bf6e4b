import { Hono } from "hono";
import { z } from "zod";
import type { AppDeps } from "../../../deps.ts";
import { AppError, notFound } from "../../../lib/errors.ts";
import { isId } from "../../../lib/ids.ts";
import {
  createMedia,
  deleteMedia,
  ownMedia,
  updateMedia,
  VIDEO_MAX_BYTES,
} from "../../../services/media/media.ts";
import { readBody } from "../body.ts";
import { serializeMedia } from "../entities/media.ts";
import type { ApiEnv } from "../env.ts";
import { currentAccount, requireScope } from "../middleware/auth.ts";
import { readUpload } from "../upload.ts";

/** Mastodon's `focus`: "x,y", each from -1.0 to 1.0 (the point thumbnails keep in view). */
export const focusParam = z
  .string()
  .regex(/^\s*-?[0-9.]+\s*,\s*-?[0-9.]+\s*$/, 'must be "x,y"')
  .transform((v) => {
    const [x, y] = v.split(",").map(Number);
    return { x, y };
  })
  .refine(
    ({ x, y }) => [x, y].every((n) => Number.isFinite(n) && n >= -1 && n <= 1),
    "x and y must be between -1.0 and 1.0",
  );

const mediaFields = z
  .object({
    description: z.string().max(10_000).optional(),
    focus: focusParam.optional(),
  })
  .strict();

/** An unsupported parameter is named in a 422, never dropped. */
function parseFields(fields: Record<string, unknown>) {
  const parsed = mediaFields.safeParse(fields);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  if (issue.code === "unrecognized_keys")
    throw new AppError(422, `Validation failed: unsupported parameter ${issue.keys.join(", ")}`);
  throw new AppError(422, `Validation failed: ${issue.path.join(".")}: ${issue.message}`);
}

/** /api/v1/media and /api/v2/media: uploads, their alt text and focus, and their removal. */
export function mediaRouter(deps: AppDeps, version: 1 | 2): Hono<ApiEnv> {
  const { db, config } = deps;
  const app = new Hono<ApiEnv>();
  const idParam = (id: string) => {
    if (!isId(id)) throw notFound();
    return id;
  };

  app.post("/", requireScope("write:media"), async (c) => {
    // The largest kind (video) bounds the read; images are held to 16 MiB by createMedia.
    const upload = await readUpload(c, VIDEO_MAX_BYTES);
    const { file: _file, thumbnail, ...rest } = Object.fromEntries(upload.files);
    const extraFile = Object.keys(rest)[0];
    if (extraFile) throw new AppError(422, `Validation failed: unsupported parameter ${extraFile}`);
    const file = upload.files.get("file");
    if (!file) throw new AppError(422, "Validation failed: file is required");
    const fields = parseFields(upload.fields);
    const { media, processed } = await createMedia(db, config, currentAccount(c).id, file, {
      ...fields,
      thumbnail,
    });
    // v1 always answers once processed; v2 says 202 while a job still works on it.
    return c.json(serializeMedia(media), version === 2 && !processed ? 202 : 200);
  });

  if (version === 2) return app;

  app.get("/:id", requireScope("write:media"), async (c) => {
    const media = await ownMedia(db, currentAccount(c).id, idParam(c.req.param("id")));
    if (media.state === "failed")
      throw new AppError(422, `Validation failed: ${media.error ?? "processing failed"}`);
    return c.json(serializeMedia(media), media.state === "pending" ? 206 : 200);
  });

  app.put("/:id", requireScope("write:media"), async (c) => {
    const body = await readBody(c, z.record(z.string(), z.unknown()));
    const fields = parseFields(body);
    const media = await updateMedia(db, currentAccount(c).id, idParam(c.req.param("id")), fields);
    return c.json(serializeMedia(media));
  });

  app.delete("/:id", requireScope("write:media"), async (c) => {
    const id = idParam(c.req.param("id"));
    const media = await ownMedia(db, currentAccount(c).id, id);
    await deleteMedia(db, currentAccount(c).id, id);
    return c.json(serializeMedia(media));
  });

  return app;
}
