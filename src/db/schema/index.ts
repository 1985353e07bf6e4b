export * from "./accounts.ts";
export * from "./follows.ts";
export * from "./infra.ts";
export * from "./media.ts";
export * from "./notifications.ts";
export * from "./oauth.ts";
export * from "./statuses.ts";
