import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

/**
 * The layering of ARCHITECTURE.md, enforced: api, oauth, federation, jobs and web call services;
 * services never reach up into HTTP, Fedify's runtime or the routers; only the composition root
 * imports app.ts; only config/ reads the environment.
 */
const SRC = resolve(import.meta.dirname, "../src");

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : /\.[jt]s$/.test(path) ? [path] : [];
  });
}

const sources = files(SRC).map((path) => ({
  path: relative(SRC, path),
  text: readFileSync(path, "utf8"),
}));

/** Imports that are not `import type` (those vanish at run time and create no dependency). */
function runtimeImports(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/^import\s+(?!type\s)[^;]*?from\s+"([^"]+)";/gms)) out.push(m[1]);
  for (const m of text.matchAll(/import\(\s*"([^"]+)"\s*\)/g)) out.push(m[1]);
  return out;
}

function resolved(from: string, spec: string): string {
  return spec.startsWith(".") ? relative(SRC, resolve(SRC, from, "..", spec)) : spec;
}

describe("architecture", () => {
  it("reads the imports it checks (the scanner itself works)", () => {
    const local = sources.find((f) => f.path === "services/statuses/local.ts")!;
    expect(runtimeImports(local.text)).toEqual(
      expect.arrayContaining(["drizzle-orm", "../../lib/errors.ts"]),
    );
    expect(runtimeImports('import type { X } from "hono";\nimport { y } from "zod";')).toEqual([
      "zod",
    ]);
  });

  it("services import neither Hono, Fedify's runtime, nor the api, oauth, federation, jobs or web layers", () => {
    const offenders = sources
      .filter((f) => f.path.startsWith("services/"))
      .flatMap((f) =>
        runtimeImports(f.text)
          .map((spec) => resolved(f.path, spec))
          .filter((dep) => /^(hono|@hono\/|@fedify\/)|^(api|oauth|federation|jobs|web)\//.test(dep))
          .map((dep) => `${f.path} -> ${dep}`),
      );
    expect(offenders).toEqual([]);
  });

  it("only the composition root imports app.ts, and nothing imports main.js", () => {
    const offenders = sources.flatMap((f) =>
      runtimeImports(f.text)
        .map((spec) => resolved(f.path, spec))
        .filter((dep) => dep === "main.js" || (dep === "app.ts" && f.path !== "server.ts"))
        .map((dep) => `${f.path} -> ${dep}`),
    );
    expect(offenders).toEqual([]);
  });

  it("the database layer depends on nothing above it", () => {
    const offenders = sources
      .filter((f) => f.path.startsWith("db/") || f.path.startsWith("lib/"))
      .flatMap((f) =>
        runtimeImports(f.text)
          .map((spec) => resolved(f.path, spec))
          .filter((dep) => /^(services|api|oauth|federation|jobs|web)\//.test(dep))
          .map((dep) => `${f.path} -> ${dep}`),
      );
    expect(offenders).toEqual([]);
  });

  it("only config/ reads process.env", () => {
    const readers = sources.filter(
      (f) => /process\.env\b/.test(f.text) && !f.path.startsWith("config/"),
    );
    expect(readers.map((f) => f.path)).toEqual([]);
  });

  it("keeps source files small", () => {
    const large = sources.filter((f) => f.text.split("\n").length > 420).map((f) => f.path);
    expect(large).toEqual([]);
  });
});
