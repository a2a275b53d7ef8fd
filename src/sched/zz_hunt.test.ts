import { it } from "vitest";
import { explore } from "./explore";
import { bfs } from "./testing/brute";
import { randomProgram } from "./testing/toy";
it("hunt", () => {
  const bad: string[] = [];
  let viol = 0;
  for (let seed = 1; seed <= 3000 && bad.length < 5; seed++) {
    for (const cfg of [{ agents: 3, maxSteps: 4 }, { agents: 2, maxSteps: 5 }, { agents: 4, maxSteps: 3 }]) {
      for (const loops of [false, true]) {
        const o = { ...cfg, loops };
        const q = bfs(randomProgram(seed, { ...o, checks: false }));
        for (const por of [true, false]) {
          const set = new Set<number>();
          explore(randomProgram(seed, { ...o, checks: false }), { por, onState: (f) => set.add(f) });
          if (set.size !== q.states.size) bad.push(`states seed ${seed} ${JSON.stringify(o)} por ${por}: ${set.size} vs ${q.states.size}`);
        }
        const ref = bfs(randomProgram(seed, o)).shortest;
        if (ref < Infinity) viol++;
        for (const por of [true, false]) {
          const r = explore(randomProgram(seed, o), { por, shortest: true });
          const got = r.violation?.schedule.length ?? Infinity;
          if (got !== ref) bad.push(`shortest seed ${seed} ${JSON.stringify(o)} por ${por}: ${got} vs ${ref}`);
        }
        if (loops) for (const b of [0, 1, 2]) {
          const refb = bfs(randomProgram(seed, o), b).shortest;
          const r = explore(randomProgram(seed, o), { preemptionBound: b, shortest: true });
          const got = r.violation?.schedule.length ?? Infinity;
          if (got !== refb) bad.push(`bounded seed ${seed} ${JSON.stringify(o)} b ${b}: ${got} vs ${refb}`);
        }
      }
    }
  }
  console.log("violating configs", viol, bad);
});
