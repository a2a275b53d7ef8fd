/**
 * Hidden tests, kata 03: the learner's diagnosis against the shortest corrupting
 * interleaving the explorer finds for the driver as shipped. The expected answer is
 * worked out here by replaying that interleaving step by step and watching the
 * device's TLB and the page's frame, not read from any text.
 */
import {
  defineSuite,
  require_,
  huntAccel,
  accelHuntWorld,
  shippedAccelOps,
  page,
  BASE,
  PAGE_SIZE,
  ACCEL_PAGES,
  type AccelModule,
  type AccelDiagnosis,
  type Counterexample,
} from "tlbkata";

function expected(cx: Counterexample): AccelDiagnosis {
  const v = cx.violation;
  const index = Math.floor((v.address! - BASE) / PAGE_SIZE);
  const addr = page(index);
  const w = accelHuntWorld(shippedAccelOps);
  const k = w.k;
  const caches = k.iommus[0]!.caches();
  const pasid = k.mms[0]!.pasid;
  const cached = (): boolean => caches.some((c) => c.lookup(pasid, addr) !== null);
  let refill: number | null = null;
  let free: number | null = null;
  let before = cached();
  let lastOp: "read" | "write" = "read";
  w.setTracing(false);
  cx.schedule.forEach((agent, i) => {
    const wasAllocated = k.phys.allocated(v.pfn!);
    const label = w.nextLabel(agent);
    w.step(agent);
    const now = cached();
    if (free === null && now && !before) refill = i + 1;
    if (free === null && wasAllocated && !k.phys.allocated(v.pfn!)) free = i + 1;
    before = now;
    if (i === cx.schedule.length - 1) lastOp = /^dma write/.test(label) ? "write" : "read";
  });
  return { page: ACCEL_PAGES[index]!, refill_step: refill, free_step: free, access: { step: cx.schedule.length, op: lastOp } };
}

let memo: AccelDiagnosis | undefined;
function want(): AccelDiagnosis {
  if (!memo) {
    const cx = huntAccel(shippedAccelOps);
    if (!cx) throw new Error("the shipped accel driver no longer has a race: the kata is broken");
    if (cx.violation.kind !== "corruption") throw new Error(`the hunt found ${cx.violation.rule}, expected a corruption`);
    memo = expected(cx);
  }
  return memo;
}

const show = (x: unknown): string => JSON.stringify(x);

export default defineSuite<AccelModule>("diagnosis", [
  {
    name: "page: the page the device reached after it was freed",
    points: 1,
    run: (impl) => require_(impl.diagnosis.page === want().page, `diagnosis.page is ${show(impl.diagnosis.page)}, but that is not the page of the device access that ends the trace`),
  },
  {
    name: "refill_step: the device cached the page again after invalidate_range_start had flushed it",
    points: 2,
    run(impl) {
      const w = want();
      require_(
        impl.diagnosis.refill_step === w.refill_step,
        `diagnosis.refill_step is ${show(impl.diagnosis.refill_step)}: look for the step after invalidate_range_start where the IOMMU walks the page table and fills its IOTLB with that page again (steps are numbered from 1)`,
      );
    },
  },
  {
    name: "free_step: the step that freed the page while the device still cached it",
    points: 1,
    run(impl) {
      require_(impl.diagnosis.free_step === want().free_step, `diagnosis.free_step is ${show(impl.diagnosis.free_step)}: which step's events free the page's frame?`);
    },
  },
  {
    name: "access: the device access that touched the freed page (step and read/write)",
    points: 1,
    run(impl) {
      const a = impl.diagnosis.access;
      const w = want().access!;
      require_(a !== null && a.step === w.step && a.op === w.op, `diagnosis.access is ${show(a)}: it is the device step at which the violation is reported`);
    },
  },
]);
