/**
 * The shape of an admin form POST: read the form, check its CSRF token, run the change, and show
 * the page again with what happened (or why it was refused: bad input is a 4xx page, never a
 * JSON error or a 500).
 */
import type { Context } from "hono";
import type { z } from "zod";
import { readBody } from "../../api/mastodon/body.ts";
import type { AppDeps } from "../../deps.ts";
import { AppError } from "../../lib/errors.ts";
import { csrfOk } from "../session.ts";

export type Rerender = (
  c: Context,
  message: { text: string; ok: boolean },
  status: number,
) => Promise<Response>;

export function formAction<T extends { csrf_token?: unknown }>(
  deps: AppDeps,
  read: (c: Context) => Promise<T>,
  run: (input: T, c: Context) => Promise<string>,
  render: Rerender,
) {
  return async (c: Context): Promise<Response> => {
    try {
      const input = await read(c);
      if (!csrfOk(c, deps, input.csrf_token))
        return render(
          c,
          { text: "The form expired; reload the page and try again.", ok: false },
          403,
        );
      return render(c, { text: await run(input, c), ok: true }, 200);
    } catch (error) {
      if (error instanceof AppError)
        return render(c, { text: error.message, ok: false }, error.status);
      throw error;
    }
  };
}

/** `formAction` for urlencoded forms checked by a zod schema, all re-rendered by `render`. */
export function formActions(deps: AppDeps, render: Rerender) {
  return <T extends { csrf_token?: string }>(
    schema: z.ZodType<T>,
    run: (input: T, c: Context) => Promise<string>,
  ) => formAction(deps, (c) => readBody(c, schema), run, render);
}

/** The signed-in staff account of an admin page, as the audit log records it. */
export const staffId = (c: Context): string => c.get("webSession")!.account.id;
