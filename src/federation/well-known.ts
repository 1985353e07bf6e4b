import { nodeInfoToJson } from "@fedify/fedify";
import { Hono } from "hono";
import type { AppDeps } from "../deps.ts";
import { escapeXml } from "../lib/xml.ts";
import { nodeInfo } from "./dispatchers/nodeinfo.ts";

/**
 * Discovery documents Fedify does not serve the way peers expect: host-meta (older Mastodon and
 * Friendica find WebFinger through it) and NodeInfo 2.0 beside Fedify's 2.1.
 */
export function wellKnownRoutes(deps: AppDeps): Hono {
  const { publicUrl } = deps.config;
  const app = new Hono();

  app.get("/.well-known/host-meta", (c) => {
    const template = escapeXml(`${publicUrl}/.well-known/webfinger?resource={uri}`);
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
<XRD xmlns="http://docs.oasis-open.org/ns/xri/xrd-1.0">
  <Link rel="lrdd" template="${template}"/>
</XRD>
`;
    return c.body(xml, 200, { "Content-Type": "application/xrd+xml; charset=utf-8" });
  });

  app.get("/.well-known/host-meta.json", (c) =>
    c.json({
      links: [{ rel: "lrdd", template: `${publicUrl}/.well-known/webfinger?resource={uri}` }],
    }),
  );

  app.get("/.well-known/nodeinfo", (c) =>
    c.json({
      links: [
        {
          rel: "http://nodeinfo.diaspora.software/ns/schema/2.0",
          href: `${publicUrl}/nodeinfo/2.0`,
        },
        {
          rel: "http://nodeinfo.diaspora.software/ns/schema/2.1",
          href: `${publicUrl}/nodeinfo/2.1`,
        },
      ],
    }),
  );

  app.get("/nodeinfo/2.0", async (c) => {
    const doc = nodeInfoToJson(await nodeInfo(deps.db)) as Record<string, unknown>;
    const { repository: _r, homepage: _h, ...software } = doc.software as Record<string, unknown>;
    return c.json({ ...doc, version: "2.0", software }, 200, {
      "Content-Type":
        'application/json; profile="http://nodeinfo.diaspora.software/ns/schema/2.0#"',
    });
  });

  return app;
}
