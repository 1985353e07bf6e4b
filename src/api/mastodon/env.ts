import type { Account } from "../../services/accounts/accounts.ts";

/** Who is calling: set by the auth middleware from the bearer token. */
export interface AuthInfo {
  /** Null for an app-only token (client_credentials). */
  account: Account | null;
  appId: string | null;
  scopes: string[];
  tokenId: string;
}

export interface ApiEnv {
  Variables: { auth: AuthInfo | null };
}
