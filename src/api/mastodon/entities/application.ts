import type { OAuthApp } from "../../../services/oauth/apps.ts";
import { appRedirectUris, appScopes } from "../../../services/oauth/apps.ts";

/** Mastodon's Application entity (4.3+ shape), as GET /api/v1/apps/verify_credentials answers. */
export interface Application {
  id: string;
  name: string;
  website: string | null;
  scopes: string[];
  /** Deprecated by Mastodon in favour of redirect_uris; newline separated. */
  redirect_uri: string;
  redirect_uris: string[];
  /** Deprecated (Web Push key now lives on the instance); kept for old clients. */
  vapid_key: string;
}

/** CredentialApplication: what POST /api/v1/apps answers, the only time the secret is shown. */
export interface CredentialApplication extends Application {
  client_id: string;
  client_secret: string;
  /** 0: the secret does not expire. */
  client_secret_expires_at: number;
}

export function serializeApplication(app: OAuthApp, vapidKey = ""): Application {
  const redirectUris = appRedirectUris(app);
  return {
    id: app.id,
    name: app.name,
    website: app.website,
    scopes: appScopes(app),
    redirect_uri: redirectUris.join("\n"),
    redirect_uris: redirectUris,
    vapid_key: vapidKey,
  };
}

export function serializeCredentialApplication(
  app: OAuthApp,
  clientSecret: string,
  vapidKey = "",
): CredentialApplication {
  return {
    ...serializeApplication(app, vapidKey),
    client_id: app.clientId,
    client_secret: clientSecret,
    client_secret_expires_at: 0,
  };
}
