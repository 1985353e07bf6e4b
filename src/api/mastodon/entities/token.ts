import type { IssuedToken } from "../../../services/oauth/tokens.ts";

/** Mastodon's Token entity (https://docs.joinmastodon.org/entities/Token/), as /oauth/token sends it. */
export interface MastodonToken {
  access_token: string;
  token_type: "Bearer";
  scope: string;
  created_at: number;
}

export function serializeToken(issued: IssuedToken): MastodonToken {
  return {
    access_token: issued.token,
    token_type: "Bearer",
    scope: issued.record.scopes,
    created_at: Math.floor(issued.record.createdAt.getTime() / 1000),
  };
}
