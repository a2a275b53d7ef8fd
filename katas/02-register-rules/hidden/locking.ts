/** Hidden tests, kata 02-register-rules: mmap_lock must be held for write. */
import { defineSuite, Kernel, mmu_notifier, registerRulesKernel, require_, type RegisterRulesModule, type mmu_notifier_ops, type Violation, type RuleId } from "tlbkata";

/** What these cases grade: lockdep's report of a registration without mmap_lock held for write. */
const LOCKDEP: readonly RuleId[] = ["register-not-held"];

const ops: mmu_notifier_ops = { name: "sva", invalidate_secondary_tlbs: () => {}, alloc_notifier: () => -12, free_notifier: () => {} };

/** Run `fn` as setup and return what lockdep reported. */
function reported(k: Kernel, fn: () => void): Violation[] {
  k.sim.setup(fn);
  return k.sim.takeStepOutput().violations.filter((v) => v.rule === "register-not-held");
}

export default defineSuite<RegisterRulesModule>("locking", [
  {
    name: "__mmu_notifier_register without mmap_lock is reported (mmap_assert_write_locked)",
    points: 2,
    grades: LOCKDEP,
    run(impl) {
      const k = new Kernel(registerRulesKernel(impl));
      const mm = k.mm_alloc("p");
      const v = reported(k, () => void k.mn.__mmu_notifier_register(new mmu_notifier(k.sim, ops, "n"), mm));
      require_(v.length > 0, "__mmu_notifier_register ran without mmap_lock held and nothing complained: start with mmap_assert_write_locked(mm) (README.md, rule 1)");
    },
  },
  {
    name: "mmap_lock held for read is not enough; held for write is",
    points: 1,
    grades: LOCKDEP,
    run(impl) {
      const k = new Kernel(registerRulesKernel(impl));
      const mm = k.mm_alloc("p");
      const read = reported(k, () => {
        mm.mmap_lock.down_read();
        k.mn.__mmu_notifier_register(new mmu_notifier(k.sim, ops, "n1"), mm);
        mm.mmap_lock.up_read();
      });
      require_(read.length > 0, "__mmu_notifier_register with mmap_lock held only for read was not reported: registration needs mmap_lock held for write (README.md, rule 1)");
      const write = reported(k, () => void k.mn.mmu_notifier_register(new mmu_notifier(k.sim, ops, "n2"), mm));
      require_(write.length === 0, `mmu_notifier_register (mmap_lock held for write) was reported: ${write[0]?.message}`);
    },
  },
  {
    name: "mmu_notifier_get_locked without mmap_lock is reported",
    points: 1,
    grades: LOCKDEP,
    run(impl) {
      const k = new Kernel(registerRulesKernel(impl));
      const mm = k.mm_alloc("p");
      const v = reported(k, () => void k.mn.mmu_notifier_get_locked(ops, mm));
      require_(v.length > 0, "mmu_notifier_get_locked ran without mmap_lock held and nothing complained: it starts with mmap_assert_write_locked(mm) too (README.md, rule 1)");
    },
  },
]);
