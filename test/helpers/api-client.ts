import { expect } from "vitest";
import type { TestTern } from "./tern.ts";

/** A local user of a test server, as `TestTern.user` makes them. */
export interface ApiUser {
  account: { id: string };
  token: string;
}

/** Posts a status as `who`; fails the test unless it is accepted. */
export async function postStatus<T = { id: string; uri: string }>(
  t: TestTern,
  who: ApiUser,
  status: string,
  visibility = "public",
): Promise<T> {
  const res = await t.request("/api/v1/statuses", {
    method: "POST",
    token: who.token,
    json: { status, visibility },
  });
  expect(res.status).toBe(200);
  return (await res.json()) as T;
}

/** `POST /api/v1/statuses/:id/<action>` as `who`; fails the test unless it answers 200. */
export async function statusAction<T>(
  t: TestTern,
  who: ApiUser,
  id: string,
  action: string,
): Promise<T> {
  const res = await t.request(`/api/v1/statuses/${id}/${action}`, {
    method: "POST",
    token: who.token,
  });
  const body = await res.json();
  expect(res.status, JSON.stringify(body)).toBe(200);
  return body as T;
}

/** `grant_type=authorization_code` as a confidential app redeems the code; the bearer token. */
export async function redeemCode(
  t: TestTern,
  client: { client_id: string; client_secret: string },
  code: string,
  redirectUri: string,
): Promise<string> {
  const body = { grant_type: "authorization_code", code, redirect_uri: redirectUri };
  const res = await t.request("/oauth/token", {
    method: "POST",
    json: { ...body, client_id: client.client_id, client_secret: client.client_secret },
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { access_token: string }).access_token;
}
