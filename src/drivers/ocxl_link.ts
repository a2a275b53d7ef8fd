/**
 * The OpenCAPI link driver's structures (drivers/misc/ocxl/link.c): the link with its
 * SPA and the atsd_lock that guards its ATSD registers, one pe_data per attached
 * context with the mmu_notifier embedded in it, and the attach path
 * (ocxl_link_add_pe) that registers the notifier. The notifier ops come from a
 * module: the reference solution, or a learner's kata file.
 *
 * Also the scenario the atsd_lock exists for: two processes attached to one link,
 * their shootdowns going through the same registers.
 */
import type { Kernel, KernelOptions } from "../kernel/kernel";
import type { mm_struct } from "../mm/mm";
import type { IommuModel } from "../hw/iommu";
import { OcxlLink, SPA_PE_VALID, type AtsdMmio, type ocxl_process_element } from "../hw/ocxl/link";
import { mmu_notifier, type mmu_notifier_ops, EINVAL } from "../notifier/mmu_notifier";
import { Mutex, SpinLock } from "../locking/lock";
import { kstruct } from "../sim/store";
import { reclaimProgram, migrateProgram } from "../kernel/rmap";
import { baseScenario, addDevice, addKernelThread, page } from "../scenarios/builder";
import { addBoundProcess } from "../scenarios/shared-iommu";
import type { Scenario } from "../scenarios/index";
import type { World } from "../sim/world";
import type { DriverSpec, BoundContext } from "./driver";

const EBUSY = 16;

/** PASIDs are 15 bits on OpenCAPI; the PE handle is the PASID's index in the SPA. */
export const SPA_PASID_BITS = 15;
export const SPA_PE_MASK = (1 << SPA_PASID_BITS) - 1;

/** The Shared Process Area: the process elements the link reads, and the driver's index of them. */
export interface spa {
  /** SPA memory: PE handle -> process element, read by the hardware. */
  readonly spa_mem: Map<number, ocxl_process_element>;
  /** Serialises attach and detach (they may sleep: a mutex). */
  readonly spa_lock: Mutex;
  /** PE handle -> pe_data. */
  readonly pe_tree: Map<number, pe_data>;
}

/** struct ocxl_link: one per OpenCAPI link, shared by every context attached to it. */
export interface ocxl_link {
  readonly spa: spa;
  /** The ATSD registers (null when the platform did not map them). */
  readonly arva: AtsdMmio | null;
  /** Keeps two shootdowns from mixing in the one set of ATSD registers. */
  readonly atsd_lock: SpinLock;
  /** The logical partition id written into each process element. */
  readonly lpid: number;
  /** platform_data: the link hardware. */
  readonly platform_data: OcxlLink;
}

/** Per-context state, with the notifier embedded: find it with container_of. */
export interface pe_data {
  readonly mm: mm_struct;
  /** The AFU driver's callback for translation faults the link cannot resolve (may be null). */
  readonly xsl_err_cb: ((data: unknown, addr: number, dsisr: number) => void) | null;
  readonly xsl_err_data: unknown;
  readonly link: ocxl_link;
  readonly mmu_notifier: mmu_notifier;
}

/** What a kata file (or the reference solution) provides. */
export interface OcxlModule {
  readonly ocxl_mmu_notifier_ops: mmu_notifier_ops;
}

export interface OcxlDriverOptions {
  /**
   * The link has ATSD registers (default true). Without them ocxl_link_add_pe
   * registers no notifier, as the real driver does.
   */
  readonly atsd?: boolean;
}

/** alloc_link(): the link's SPA, its locks and its ATSD mapping. */
export function ocxl_link_setup(k: Kernel, hw: OcxlLink, name = "ocxl"): ocxl_link {
  const s: spa = { spa_mem: new Map(), spa_lock: new Mutex(k.locks, `${name}.spa_lock`, "ocxl_spa_lock"), pe_tree: new Map() };
  hw.set_spa(s.spa_mem);
  const atsd_lock = new SpinLock(k.locks, `${name}.atsd_lock`, "ocxl_atsd_lock");
  return { spa: s, arva: hw.map_atsd(atsd_lock), atsd_lock, lpid: 1, platform_data: hw };
}

/**
 * ocxl_link_add_pe(): fill the context's process element in the SPA and, if the link
 * can shoot translations down, register the notifier on mm. Returns 0 or -errno.
 */
export function ocxl_link_add_pe(
  k: Kernel,
  link: ocxl_link,
  ops: mmu_notifier_ops,
  pasid: number,
  pidr: number,
  tidr: number,
  mm: mm_struct,
  xsl_err_cb: pe_data["xsl_err_cb"] = null,
  xsl_err_data: unknown = null,
  name = "ocxl",
): number {
  const spa = link.spa;
  const pe_handle = pasid & SPA_PE_MASK;
  spa.spa_lock.mutex_lock();
  try {
    const old = spa.spa_mem.get(pe_handle);
    if (old && old.software_state & SPA_PE_VALID) return -EBUSY;
    const pd: pe_data = {
      mm,
      xsl_err_cb,
      xsl_err_data,
      link,
      mmu_notifier: new mmu_notifier(k.sim, ops, `${name}.pe_data[${pe_handle}].mmu_notifier`),
    };
    pd.mmu_notifier.container = pd;
    const pe: ocxl_process_element =
      old ?? kstruct(k.sim.store, `${name}.spa.pe[${pe_handle}]`, { pasid, lpid: 0, pid: 0, tid: 0, software_state: 0 });
    pe.lpid = link.lpid;
    pe.pid = pidr;
    pe.tid = tidr;
    spa.spa_mem.set(pe_handle, pe);
    // (powerpc also calls mm_context_add_copro() here, so the CPU's TLB flushes for
    // this mm are broadcast to the nest MMU; the AFU's own cache needs the ATSDs.)
    if (link.arva) {
      const r = k.mn.mmu_notifier_register(pd.mmu_notifier, mm);
      // A refused registration would leave the AFU unshot: do not attach.
      if (r !== 0) return r;
    }
    pe.software_state = SPA_PE_VALID;
    spa.pe_tree.set(pe_handle, pd);
    return 0;
  } finally {
    spa.spa_lock.mutex_unlock();
  }
}

export function ocxlDriver(mod: OcxlModule, name = "ocxl", description = "OpenCAPI (drivers/misc/ocxl/link.c)", o: OcxlDriverOptions = {}): DriverSpec {
  const links = new WeakMap<IommuModel, ocxl_link>();
  return {
    name,
    description,
    createIommu(k: Kernel): IommuModel {
      const hw = k.addIommu(new OcxlLink(k.sim, k.phys, k.mms, { atsd: o.atsd ?? true }));
      links.set(hw, ocxl_link_setup(k, hw, name));
      return hw;
    },
    bind(k: Kernel, iommu: IommuModel, mm: mm_struct, pasid: number): BoundContext {
      const link = links.get(iommu);
      if (!link) return { ret: -EINVAL, tag: pasid };
      // ocxl_context_attach(): the PID is the mm's context id on powerpc.
      const ret = ocxl_link_add_pe(k, link, mod.ocxl_mmu_notifier_ops, pasid, mm.context_id, 0, mm, null, null, name);
      return { ret, tag: pasid };
    },
  };
}

/**
 * The second context's PASID (PE handle) in the first model: not equal to either PID,
 * so a PE handle in a launch is wrong. With distinct ids it is drawn like any PASID.
 */
export const OCXL_SHARED_LINK_PASID2 = 5;

/**
 * Two processes attached to one link. kswapd reclaims page A of the first while
 * another CPU migrates page B of the second; the AFU reads A and B through both
 * contexts. Both kernel paths invalidate at once and both shootdowns go through the
 * link's one set of ATSD registers. The second process maps the same addresses, so
 * only the PID tells their translations apart.
 */
/** Two processes on one link; each AFU context reads the pages named (A, B of its own process). */
function sharedLinkWorld(driver: DriverSpec, kernel: KernelOptions | undefined, reads0: readonly number[], reads1: readonly number[]): World {
  const p = baseScenario(driver, { pages: 2, kernel });
  const k = p.w.k;
  const p2 = addBoundProcess(p, driver, "proc2", 2, OCXL_SHARED_LINK_PASID2);
  const names = ["A", "B"];
  addDevice(p, reads0.map((i) => ({ op: "read" as const, addr: page(i), name: names[i]! })), "afu.ctx0");
  addDevice(p2, reads1.map((i) => ({ op: "read" as const, addr: page(i), name: `${names[i]!}'` })), "afu.ctx1");
  addKernelThread(p, "kswapd", reclaimProgram(k, p.vma, page(0), p.swap));
  addKernelThread(p2, "migrate", migrateProgram(k, p2.vma, page(1)));
  return p.w;
}

export const ocxlSharedLinkScenario: Scenario = {
  name: "ocxl-shared-link",
  summary:
    "two processes on one OpenCAPI link: kswapd reclaims the first one's page A while another CPU migrates the second one's page B, and the AFU reads A and B in both; both shootdowns use the same ATSD registers",
  build: (driver: DriverSpec, kernel?: KernelOptions): World => sharedLinkWorld(driver, kernel, [0, 1], [0, 1]),
};

/**
 * The same race with each AFU context reading only the page its process loses (A of
 * the first, B of the second): small enough to explore every interleaving of, with the
 * link's engine running at steps of its own.
 */
export const ocxlSharedLinkRaceScenario: Scenario = {
  name: "ocxl-shared-link-race",
  summary: "two processes on one OpenCAPI link: kswapd reclaims the first one's page A while another CPU migrates the second one's page B, each AFU context reading the page its process loses",
  build: (driver: DriverSpec, kernel?: KernelOptions): World => sharedLinkWorld(driver, kernel, [0], [1]),
};
