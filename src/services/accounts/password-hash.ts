import { hash, verify } from "@node-rs/argon2";
import { underTestRunner } from "../../config/index.ts";

/**
 * Password hashes: Argon2id with the library's defaults (19 MiB, two passes; ~100 ms of CPU each).
 * Under the test runner (NODE_ENV=test) the cheapest parameters instead: the suite creates
 * thousands of accounts, and at full cost their hashing was minutes of CI time. A hash records
 * its own parameters, so verifying works either way; production never sets NODE_ENV=test.
 */
const TEST_COST = { memoryCost: 1024, timeCost: 1, parallelism: 1 };

export function hashPassword(password: string): Promise<string> {
  return underTestRunner() ? hash(password, TEST_COST) : hash(password);
}

export function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  return verify(passwordHash, password);
}
