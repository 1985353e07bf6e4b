import type { Context } from "@fedify/fedify";
import { Application, Endpoints, Image, Person, PropertyValue, Service } from "@fedify/vocab";
import { Temporal } from "@js-temporal/polyfill";
import type { Account } from "../../services/accounts/accounts.ts";
import type { CustomEmoji } from "../../services/emojis/emojis.ts";
import type { FedContext } from "../context.ts";
import { emojiToTag } from "./emoji.ts";

type KeyPairs = Awaited<ReturnType<Context<FedContext>["getActorKeyPairs"]>>;

/** The type of one of our stored pictures, from the extension Tern gave its key. */
const imageType = (url: string) => (url.endsWith(".png") ? "image/png" : "image/jpeg");

/** A local account as the actor document Mastodon reads (`emojis`: those its profile uses). */
export function accountToActor(
  ctx: Context<FedContext>,
  account: Account,
  keys: KeyPairs,
  emojis: CustomEmoji[] = [],
): Person | Service {
  const identifier = account.username;
  const values = {
    id: ctx.getActorUri(identifier),
    preferredUsername: account.username,
    name: account.displayName || account.username,
    summary: account.note || null,
    url: new URL(account.url ?? ctx.getActorUri(identifier)),
    published: account.publishedAt
      ? Temporal.Instant.fromEpochMilliseconds(account.publishedAt.getTime())
      : null,
    icon: account.avatarUrl
      ? new Image({ url: new URL(account.avatarUrl), mediaType: imageType(account.avatarUrl) })
      : null,
    image: account.headerUrl
      ? new Image({ url: new URL(account.headerUrl), mediaType: imageType(account.headerUrl) })
      : null,
    // Profile fields, as Mastodon publishes them (name plain text, value HTML).
    attachments: account.fields.map((f) => new PropertyValue({ name: f.name, value: f.value })),
    tags: emojis.map((e) => emojiToTag(e, ctx.data.config.publicUrl)),
    inbox: ctx.getInboxUri(identifier),
    outbox: ctx.getOutboxUri(identifier),
    followers: ctx.getFollowersUri(identifier),
    following: ctx.getFollowingUri(identifier),
    featured: ctx.getFeaturedUri(identifier),
    featuredTags: ctx.getFeaturedTagsUri(identifier),
    endpoints: new Endpoints({ sharedInbox: ctx.getInboxUri() }),
    manuallyApprovesFollowers: account.locked,
    discoverable: account.discoverable,
    indexable: account.indexable,
    publicKey: keys[0]?.cryptographicKey ?? null,
    assertionMethods: keys.map((k) => k.multikey),
  };
  // Suspended here: Mastodon's actor keeps its ids and keys (so signatures still verify) and
  // says `suspended`, with nothing of the profile; followers' servers get it as an Update.
  if (account.suspendedAt) {
    return new Person({
      ...values,
      name: account.username,
      summary: null,
      icon: null,
      image: null,
      attachments: [],
      tags: [],
      suspended: true,
    });
  }
  return account.bot ? new Service(values) : new Person(values);
}

/** The server's own actor: signs fetches (authorized-fetch peers such as GoToSocial need it). */
export function instanceActor(
  ctx: Context<FedContext>,
  identifier: string,
  keys: KeyPairs,
): Application {
  return new Application({
    id: ctx.getActorUri(identifier),
    preferredUsername: ctx.data.config.host,
    name: ctx.data.config.host,
    summary: "The instance actor of this Tern server; it signs the server's own requests.",
    url: new URL(ctx.data.config.publicUrl),
    inbox: ctx.getInboxUri(identifier),
    outbox: ctx.getOutboxUri(identifier),
    followers: ctx.getFollowersUri(identifier),
    following: ctx.getFollowingUri(identifier),
    featured: ctx.getFeaturedUri(identifier),
    featuredTags: ctx.getFeaturedTagsUri(identifier),
    endpoints: new Endpoints({ sharedInbox: ctx.getInboxUri() }),
    manuallyApprovesFollowers: true,
    discoverable: false,
    indexable: false,
    publicKey: keys[0]?.cryptographicKey ?? null,
    assertionMethods: keys.map((k) => k.multikey),
  });
}
