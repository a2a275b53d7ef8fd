import { test } from "vitest";
import * as path from "path";
import { listKatas } from "tlbkata";
import { ROOT, loadKata, loadImpl, runOn, runHidden, failures } from "./harness";

test("debug", async () => {
  const want = (process.env.DBG ?? "").split(",");
  for (const kata of listKatas(ROOT)) {
    const k = await loadKata(kata);
    for (const file of [kata.solution!, ...kata.variants]) {
      if (!want.some((w) => file.includes(w))) continue;
      const loaded = await loadImpl(kata, file);
      const rs = [...(k.visible ? runOn(k.visible, loaded) : []), ...runHidden(k, loaded)];
      console.log("==", path.relative(ROOT, file), JSON.stringify(failures(rs), null, 1).slice(0, 1500));
    }
  }
}, 600000);
