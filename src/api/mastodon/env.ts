import type { Account } from "../../services/accounts/accounts.ts";

/** Who is calling: set by the auth middleware from the bearer token. */
export interface AuthInfo {
  /** Null for an app-only token (client_credentials). */
  account: Account | null;
  appId: string | null;
  scopes: string[];
  tokenId: string;
  /**
   * The login (a team member) that granted this token for `account`, another account; null for
   * a token the account holds itself. What it does is written to the team audit log as that login.
   */
  grantedByAccountId: string | null;
}

export interface ApiEnv {
  Variables: { auth: AuthInfo | null };
}
