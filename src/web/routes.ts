import { Hono } from "hono";
import type { AppDeps } from "../deps.ts";

// Placeholder: replaced by the public HTML pages.
export function webRoutes(_deps: AppDeps): Hono {
  return new Hono();
}
