import { expect, it } from "vitest";
import { measure } from "./bench";

it("measure calls warmup + repeat times and returns a median", () => {
  let calls = 0;
  const ms = measure(() => void calls++, { repeat: 4, warmup: 2 });
  expect(calls).toBe(6);
  expect(ms).toBeGreaterThanOrEqual(0);
});
