/**
 * Where local things live. Fedify's dispatchers are registered on the same paths, so the ids we
 * store and the routes that answer for them cannot drift apart.
 */
export const paths = {
  actor: "/users/{identifier}",
  inbox: "/users/{identifier}/inbox",
  sharedInbox: "/inbox",
  outbox: "/users/{identifier}/outbox",
  followers: "/users/{identifier}/followers",
  following: "/users/{identifier}/following",
  featured: "/users/{identifier}/featured",
  /** Featured hashtags (Mastodon's path for them). */
  featuredTags: "/users/{identifier}/collections/tags",
  note: "/users/{identifier}/statuses/{id}",
  replies: "/users/{identifier}/statuses/{id}/replies",
  /** Our approvals of others' quotes, likes, replies and boosts (one path per type, for Fedify). */
  quoteAuthorization: "/users/{identifier}/authorizations/quote/{id}",
  likeAuthorization: "/users/{identifier}/authorizations/like/{id}",
  replyAuthorization: "/users/{identifier}/authorizations/reply/{id}",
  announceAuthorization: "/users/{identifier}/authorizations/announce/{id}",
  /** A local boost's Announce (its status uri, as Mastodon serves it); a Note's Create id too. */
  announce: "/users/{identifier}/statuses/{id}/activity",
} as const;

const fill = (template: string, values: Record<string, string>) =>
  template.replace(/\{(\w+)\}/g, (_, k: string) => encodeURIComponent(values[k] ?? ""));

export function localActorUrls(publicUrl: string, username: string) {
  const at = (t: string) => publicUrl + fill(t, { identifier: username });
  return {
    uri: at(paths.actor),
    url: `${publicUrl}/@${username}`,
    inboxUrl: at(paths.inbox),
    sharedInboxUrl: publicUrl + paths.sharedInbox,
    outboxUrl: at(paths.outbox),
    followersUrl: at(paths.followers),
    followingUrl: at(paths.following),
    featuredUrl: at(paths.featured),
  };
}

export function localStatusUrls(publicUrl: string, username: string, statusId: string) {
  return {
    uri: publicUrl + fill(paths.note, { identifier: username, id: statusId }),
    url: `${publicUrl}/@${username}/${statusId}`,
  };
}

/** Where the authorization of an interaction request (`interaction_requests.id`) is served. */
export function authorizationUrl(
  publicUrl: string,
  username: string,
  type: "quote" | "like" | "reply" | "announce",
  requestId: string,
): string {
  return publicUrl + fill(paths[`${type}Authorization`], { identifier: username, id: requestId });
}

/** A local boost is a status whose uri is its Announce's id, served at that URL. */
export function localBoostUri(publicUrl: string, username: string, statusId: string): string {
  return publicUrl + fill(paths.announce, { identifier: username, id: statusId });
}
