/** Where the course is, and finding a kata by what a learner types. */
import * as path from "path";
import { findKata, listKatas, CatalogError, type KataInfo } from "../kata/catalog";
import { UsageError, unknownName } from "./errors";

/** The course folder: the package is src/, built to src/dist/. TLBKATA_ROOT overrides (tests, releases). */
export function courseRoot(): string {
  return process.env.TLBKATA_ROOT ? path.resolve(process.env.TLBKATA_ROOT) : path.resolve(__dirname, "..", "..", "..");
}

export function allKatas(root = courseRoot()): KataInfo[] {
  try {
    return listKatas(root);
  } catch (e) {
    if (e instanceof CatalogError) throw new UsageError(e.message);
    throw e;
  }
}

export function kataNamed(name: string, root = courseRoot()): KataInfo {
  let k: KataInfo | undefined;
  try {
    k = findKata(root, name);
  } catch (e) {
    if (e instanceof CatalogError) throw new UsageError(e.message);
    throw e;
  }
  if (!k) throw unknownName("kata", name, allKatas(root).map((x) => x.id));
  return k;
}
