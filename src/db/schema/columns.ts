import { customType, timestamp } from "drizzle-orm/pg-core";

/** A 64-bit id kept as a decimal string in JavaScript (no BigInt juggling, JSON-safe). */
export const id = customType<{ data: string; driverData: string | number | bigint }>({
  dataType: () => "bigint",
  fromDriver: (value) => String(value),
  toDriver: (value) => value,
});

export const createdAt = () =>
  timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow();

export const tstz = (name: string) => timestamp(name, { withTimezone: true, mode: "date" });
