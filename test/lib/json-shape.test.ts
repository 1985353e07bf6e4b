import { expect, it } from "vitest";
import { jsonShapeProblem } from "../../src/lib/json-shape.ts";

const limits = { maxDepth: 4, maxArrayItems: 3 };
const check = (value: unknown) => jsonShapeProblem(JSON.stringify(value), limits);

it("passes what stays within the limits, whatever the strings hold", () => {
  expect(check({ a: [1, 2, 3], b: { c: { d: "x" } } })).toBeNull();
  expect(check({ s: 'brackets [[[[ {{{{ and "quotes", commas,,,, inside strings' })).toBeNull();
  expect(check({ s: "a pair 🦜, é, \\u0000 written out, a trailing backslash \\" })).toBeNull();
  expect(jsonShapeProblem('{"s":"\\ud83e\\udd9c"}', limits)).toBeNull();
  expect(check([[], [], []])).toBeNull();
});

it("counts nesting and array items", () => {
  expect(check([[[[1]]]])).toBeNull();
  expect(check([[[[[1]]]]])).toBe("JSON is nested deeper than 4");
  expect(check({ a: { b: { c: { d: {} } } } })).toBe("JSON is nested deeper than 4");
  expect(check([1, 2, 3, 4])).toBe("JSON has an array of more than 3 items");
  // Commas of an object, or of an inner array, do not count for the outer array.
  expect(check([{ a: 1, b: 2, c: 3, d: 4 }, [1, 2, 3], 3])).toBeNull();
});

it("refuses NUL and unpaired surrogates, escaped or not", () => {
  expect(check({ s: "a\u0000b" })).toBe("JSON contains a NUL character");
  expect(jsonShapeProblem('{"s\\u0000":1}', limits)).toBe("JSON contains a NUL character");
  expect(jsonShapeProblem('{"s":"\\ud800"}', limits)).toBe("JSON contains an unpaired surrogate");
  expect(jsonShapeProblem('{"s":"\\udc00x"}', limits)).toBe("JSON contains an unpaired surrogate");
  expect(jsonShapeProblem('{"s":"\\ud800\\u0041"}', limits)).toBe(
    "JSON contains an unpaired surrogate",
  );
  expect(jsonShapeProblem(`{"s":"\ud800"}`, limits)).toBe("JSON contains an unpaired surrogate");
});
