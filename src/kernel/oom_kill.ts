/**
 * The oom reaper (__oom_reap_task_mm): it frees an OOM victim's anonymous memory
 * while the victim is still exiting, under mmap_lock for read, and it must not wait
 * for anyone. So each VMA's range is MMU_NOTIFY_UNMAP and not blockable: it starts
 * with mmu_notifier_invalidate_range_start_nonblock, and when a subscription answers
 * -EAGAIN (it would have to sleep) the reaper leaves that VMA alone and moves on,
 * retrying later. Otherwise the VMA is zapped like munmap's, range_end is called and
 * the gathered pages are flushed and freed. The victim's device may still be running.
 * Kernel: docs/KERNEL-FACTS.md#oom-reaper (mm/oom_kill.c, v6.6, no line) and
 * #nonblock-eagain. Where the model is simpler: the kernel also reaps private file
 * mappings (it skips only VM_SHARED ones, hugetlb and VM_PFNMAP), and it only tries
 * mmap_lock (mmap_read_trylock: when busy it gives up and retries later) where this
 * program waits for it.
 */
import type { Kernel } from "./kernel";
import type { mm_struct } from "../mm/mm";
import { ProgramBuilder } from "../sim/program";
import { Cell } from "../sim/store";
import { mmu_gather, tlb_finish_mmu } from "./mmu_gather";
import { zapSteps } from "./zap";
import type { mmu_notifier_range } from "../notifier/mmu_notifier";
import { hex } from "../mm/constants";

export function oomReapProgram(k: Kernel, mm: mm_struct, batch: number, name = "oom_reaper"): ProgramBuilder {
  const b = new ProgramBuilder(`${name} ${mm.name}`);
  /** 1 when some VMA was skipped: the reaper would try this mm again later. */
  const retry = new Cell(k.sim.store, `${name}.retry`);
  b.step("mmap_read_trylock", () => mm.mmap_lock.down_read(), () => mm.mmap_lock.readAvailable());
  mm.vmas.forEach((vma, i) => {
    const tag = `${name}.vma${i}`;
    // Hugetlb and shared file mappings are not reaped.
    if (vma.flags.hugetlb || !vma.flags.anon) return;
    const tlb = new mmu_gather(k, mm, batch, `${tag}.tlb`);
    const range: mmu_notifier_range = { mm, start: vma.vm_start, end: vma.vm_end, event: "MMU_NOTIFY_UNMAP", flags: 0 };
    b.step(`tlb_gather_mmu; mmu_notifier_invalidate_range_start_nonblock [${hex(range.start)}, ${hex(range.end)})`, () => {
      if (k.mn.mmu_notifier_invalidate_range_start_nonblock(range) === 0) return undefined;
      // A subscription would have to sleep: leave this VMA for a later attempt.
      tlb_finish_mmu(k, tlb);
      retry.value = 1;
      return `${tag}:skipped`;
    });
    b.append(zapSteps(k, vma, vma.vm_start, vma.vm_end, tlb, tag));
    b.step("mmu_notifier_invalidate_range_end; tlb_finish_mmu", () => {
      k.mn.mmu_notifier_invalidate_range_end(range);
      tlb_finish_mmu(k, tlb);
    });
    b.label(`${tag}:skipped`);
  });
  b.step("mmap_read_unlock", () => mm.mmap_lock.up_read());
  return b;
}
