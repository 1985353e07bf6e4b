import { hash } from "@node-rs/argon2";
import { expect, it } from "vitest";
import { hashPassword, verifyPassword } from "../../src/services/accounts/password-hash.ts";

it("hashes with Argon2id, cheaply under the test runner, and verifies hashes of any cost", async () => {
  expect(process.env.NODE_ENV).toBe("test");
  const cheap = await hashPassword("correct horse battery staple");
  expect(cheap).toMatch(/^\$argon2id\$v=19\$m=1024,t=1,p=1\$/);
  expect(await verifyPassword(cheap, "correct horse battery staple")).toBe(true);
  expect(await verifyPassword(cheap, "wrong horse")).toBe(false);
  // What production stores (the library's defaults) verifies the same way.
  const full = await hash("correct horse battery staple");
  expect(full).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  expect(await verifyPassword(full, "correct horse battery staple")).toBe(true);
});
