import { expect, it } from "vitest";
import { mulberry32 } from "./random";
import { StateTable } from "./table";

it("StateTable finds what it stored, across growth, and nothing else", () => {
  const rand = mulberry32(5);
  const fp = () => Math.floor(rand() * 2 ** 32) * 2 ** 21 + Math.floor(rand() * 2 ** 21);
  const keys = Array.from({ length: 20000 }, fp);
  keys.push(0, 2 ** 53 - 1, 2 ** 21 - 1, 2 ** 21); // edges of the hi/lo split
  const t = new StateTable(4);
  keys.forEach((k, n) => {
    const slot = t.probe(k);
    expect(t.found).toBe(false);
    const i = t.claim(slot, k);
    t.setA(i, n);
    t.setB(i, n * 3);
  });
  expect(t.size).toBe(keys.length);
  keys.forEach((k, n) => {
    const i = t.probe(k);
    expect(t.found).toBe(true);
    expect([t.a(i), t.b(i)]).toEqual([n, n * 3]);
  });
  for (let n = 0; n < 1000; n++) {
    t.probe(fp());
    expect(t.found).toBe(false);
  }
});
