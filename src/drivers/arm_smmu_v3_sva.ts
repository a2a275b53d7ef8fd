/**
 * The ARM SMMUv3 SVA driver (drivers/iommu/arm/arm-smmu-v3/arm-smmu-v3-sva.c): its
 * structures, the bind and unbind paths, and the helpers of the core driver
 * (arm-smmu-v3.c) that it calls. The mmu_notifier ops (`arm_smmu_mmu_notifier_ops`:
 * invalidate_secondary_tlbs, release, free_notifier) come from a module: the
 * reference solution, or a learner's kata file.
 */
import type { Kernel } from "../kernel/kernel";
import type { mm_struct } from "../mm/mm";
import type { Sim } from "../sim/sim";
import type { IommuModel } from "../hw/iommu";
import {
  ArmSmmuV3,
  arm64_mm_context_get,
  ARM_SMMU_FEAT_ATS,
  ARM_SMMU_FEAT_RANGE_INV,
  ATC_INV_SIZE_ALL,
  CMDQ_OP_ATC_INV,
  CMDQ_OP_CFGI_CD,
  CMDQ_OP_TLBI_NH_ASID,
  CMDQ_OP_TLBI_NH_VA,
  CMDQ_TLBI_RANGE_NUM_MAX,
  type arm_smmu_cmdq_ent,
  type arm_smmu_device,
} from "../hw/arm/smmu_v3";
import { mmu_notifier, container_of, type mmu_notifier_ops } from "../notifier/mmu_notifier";
import { Mutex } from "../locking/lock";
import { Cell, kstruct } from "../sim/store";
import { ProgramBuilder } from "../sim/program";
import { PAGE_SHIFT } from "../mm/constants";
import { ULONG, u64_arg, ul_add, ul_sub, ul_shl, ul_shr, type unsigned_long } from "../mm/ulong";
import type { DriverSpec, BoundContext } from "./driver";

// --- structures ---------------------------------------------------------------------

/** struct arm_smmu_ctx_desc: what a CD holds for an SVA context (the mm's ASID, shared with the CPU). */
export interface arm_smmu_ctx_desc {
  readonly asid: number;
  refs: number;
  readonly mm: mm_struct | null;
}

/**
 * quiet_cd: installed in place of a process's CD when the process exits. The CD stays
 * valid (no C_BAD_CD events) but EPD0 stops all walks: DMA still in flight misses
 * and is aborted silently.
 */
export const quiet_cd: arm_smmu_ctx_desc = Object.freeze({ asid: 0, refs: 0, mm: null }) as arm_smmu_ctx_desc;

/** struct arm_smmu_master: a device behind the SMMU. */
export interface arm_smmu_master {
  readonly smmu: arm_smmu_device;
  /** Its StreamIDs (one here). */
  readonly sids: readonly number[];
  /** ATS is on: the device has an ATC that only CMD_ATC_INV reaches. */
  readonly ats_enabled: boolean;
  /** SVA bonds of this master (list_del is modelled by refs dropping to 0). */
  readonly bonds: arm_smmu_bond[];
}

/** struct arm_smmu_domain: the domain the master is attached to. */
export interface arm_smmu_domain {
  readonly smmu: arm_smmu_device;
  /** Masters attached to the domain (smmu_domain->devices). */
  readonly devices: readonly arm_smmu_master[];
  /** How many of them use ATS: arm_smmu_atc_inv_domain() does nothing when 0. */
  nr_ats_masters: number;
  /** SVA notifiers of this domain (list_del is modelled by refs dropping to 0). */
  readonly mmu_notifiers: arm_smmu_mmu_notifier[];
}

/** struct arm_smmu_mmu_notifier: one per (domain, mm), the mmu_notifier embedded in it. */
export interface arm_smmu_mmu_notifier {
  readonly mn: mmu_notifier;
  readonly cd: arm_smmu_ctx_desc;
  /** Set once release has quietened the CD and flushed everything: unbind need not flush again. */
  cleared: boolean;
  refs: number;
  readonly domain: arm_smmu_domain;
}

/** struct arm_smmu_bond: one per (master, mm), the driver's own record of a binding. */
export interface arm_smmu_bond {
  readonly mm: mm_struct;
  readonly smmu_mn: arm_smmu_mmu_notifier;
  refs: number;
}

/** mn_to_smmu(): container_of(mn, struct arm_smmu_mmu_notifier, mn). */
export function mn_to_smmu(mn: mmu_notifier): arm_smmu_mmu_notifier {
  return container_of<arm_smmu_mmu_notifier>(mn);
}

const pasids = new WeakMap<mm_struct, number>();

/** mm->pasid: the PASID the IOMMU SVA core gave mm when it was first bound. */
export function mm_get_pasid(mm: mm_struct): number {
  const p = pasids.get(mm);
  if (p === undefined) throw new Error(`mm_get_pasid: ${mm.name} has no PASID (it was never bound)`);
  return p;
}

// --- the slab: kzalloc / kfree with double-free and leak checks ----------------------

interface SlabObject {
  readonly sim: Sim;
  readonly live: Cell;
  readonly what: string;
}
const slab = new WeakMap<object, SlabObject>();
const slabOfSim = new WeakMap<Sim, { obj: object; rec: SlabObject }[]>();

function kzalloc<T extends object>(k: Kernel, what: string, init: T): T {
  const obj = kstruct(k.sim.store, what, init as T & Record<string, unknown>);
  const rec: SlabObject = { sim: k.sim, live: new Cell(k.sim.store, `${what}.allocated`, 1), what };
  slab.set(obj, rec);
  let all = slabOfSim.get(k.sim);
  if (!all) slabOfSim.set(k.sim, (all = []));
  all.push({ obj, rec });
  return obj;
}

/** kfree(): free an object the driver allocated. Freeing it twice is caught, as KASAN does. */
export function kfree(objp: object | null | undefined): void {
  if (objp === null || objp === undefined) return;
  const rec = slab.get(objp);
  if (!rec) throw new Error("kfree() of a pointer that kzalloc() never returned");
  if (!rec.live.value) rec.sim.abort("use-after-free", `BUG: KASAN: double-free in kfree(): ${rec.what} was already freed`);
  rec.live.value = 0;
  rec.sim.log(() => `kfree(${rec.what})`);
}

/** kmemleak: the driver's objects in this machine that were allocated and never freed. */
export function kmemleak_scan(k: Kernel): string[] {
  return (slabOfSim.get(k.sim) ?? []).filter((o) => o.rec.live.value !== 0).map((o) => o.rec.what);
}

// --- sva_lock ---------------------------------------------------------------

/**
 * The kernel's sva_lock is one file-scope mutex. Each simulated machine has
 * its own; the driver's code (bind, unbind and every mmu_notifier callback) runs with
 * its machine selected, so the global below finds the right one.
 */
const svaLocks = new WeakMap<Kernel, Mutex>();
let running: Kernel | null = null;

function withMachine<T>(k: Kernel, fn: () => T): T {
  const prev = running;
  running = k;
  try {
    return fn();
  } finally {
    running = prev;
  }
}

function svaLock(k: Kernel): Mutex {
  let m = svaLocks.get(k);
  if (!m) svaLocks.set(k, (m = new Mutex(k.locks, "sva_lock")));
  return m;
}

function currentSvaLock(): Mutex {
  if (!running) throw new Error("sva_lock used outside the SMMU driver's code");
  return svaLock(running);
}

/** sva_lock: serialises bind, unbind and release. A mutex: it may sleep. */
export const sva_lock = {
  mutex_lock(): void {
    currentSvaLock().mutex_lock();
  },
  mutex_unlock(): void {
    currentSvaLock().mutex_unlock();
  },
  /** lockdep_assert_held(&sva_lock). */
  get held(): boolean {
    return currentSvaLock().held;
  },
};

/** The ops as registered: each callback runs with its machine selected (see above). */
function opsOnMachine(k: Kernel, ops: mmu_notifier_ops): mmu_notifier_ops {
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(ops)) {
    out[key] = typeof v === "function" ? (...args: unknown[]) => withMachine(k, () => (v as (...a: unknown[]) => unknown).apply(ops, args)) : v;
  }
  return out as mmu_notifier_ops;
}

// --- helpers of the core driver (arm-smmu-v3.c) --------------------------------------

/** arm_smmu_tlb_inv_asid(): CMD_TLBI_NH_ASID for the whole ASID, then CMD_SYNC. */
export function arm_smmu_tlb_inv_asid(smmu: arm_smmu_device, asid: number): void {
  smmu.arm_smmu_cmdq_issue_cmd_with_sync({ opcode: CMDQ_OP_TLBI_NH_ASID, tlbi: { asid } });
}

/** __ffs(): the lowest set bit of a non-zero page count. */
function ffs(n: unsigned_long): number {
  let s = 0;
  while (((n >> BigInt(s)) & 1n) === 0n) s++;
  return s;
}

/** fls_long(): one more than the highest set bit (0 for 0). */
const fls_long = (n: unsigned_long): number => (n === 0n ? 0 : n.toString(2).length);

/**
 * arm_smmu_tlb_inv_range_asid(): invalidate [iova, iova + size) of an ASID in the SMMU
 * TLB, then CMD_SYNC. Without ARM_SMMU_FEAT_RANGE_INV that is one CMD_TLBI_NH_VA per
 * granule; with it, a few range commands of NUM << SCALE pages. size 0 does nothing.
 * iova is an unsigned long and size a size_t, as in the kernel (arm-smmu-v3.h), and the
 * end is computed as C computes it: iova + size wraps at 2^64.
 */
export function arm_smmu_tlb_inv_range_asid(iova: unsigned_long, size: unsigned_long, asid: number, granule: number, leaf: boolean, smmu_domain: arm_smmu_domain): void {
  iova = u64_arg("arm_smmu_tlb_inv_range_asid", "iova", iova);
  size = u64_arg("arm_smmu_tlb_inv_range_asid", "size", size);
  const smmu = smmu_domain.smmu;
  if (!size) return;
  if (smmu.features & ARM_SMMU_FEAT_RANGE_INV) {
    let num_pages = ul_shr(size, PAGE_SHIFT);
    while (num_pages > 0n) {
      const scale = ffs(num_pages);
      const num = Number((num_pages >> BigInt(scale)) & BigInt(CMDQ_TLBI_RANGE_NUM_MAX));
      smmu.arm_smmu_cmdq_issue_cmd({ opcode: CMDQ_OP_TLBI_NH_VA, tlbi: { asid, addr: iova, num, scale, leaf } });
      iova = ul_add(iova, ul_shl(BigInt(num), scale + PAGE_SHIFT));
      num_pages -= BigInt(num) << BigInt(scale);
    }
  } else {
    const end = ul_add(iova, size);
    for (; iova < end; iova = ul_add(iova, ULONG(granule))) smmu.arm_smmu_cmdq_issue_cmd({ opcode: CMDQ_OP_TLBI_NH_VA, tlbi: { asid, addr: iova, leaf } });
  }
  smmu.arm_smmu_cmdq_issue_sync();
}

/**
 * arm_smmu_atc_inv_to_cmd(): a CMD_ATC_INV for [iova, iova + size) of `ssid`, as the
 * smallest naturally aligned power-of-two span that covers it; size 0 means all. The
 * last page is (iova + size - 1) >> PAGE_SHIFT in unsigned long, as the kernel has it.
 */
export function arm_smmu_atc_inv_to_cmd(ssid: number, iova: unsigned_long, size: unsigned_long): { ssid: number; addr: unsigned_long; size: number } {
  iova = u64_arg("arm_smmu_atc_inv_to_cmd", "iova", iova);
  size = u64_arg("arm_smmu_atc_inv_to_cmd", "size", size);
  if (!size) return { ssid, addr: 0n, size: ATC_INV_SIZE_ALL };
  const first = ul_shr(iova, PAGE_SHIFT);
  const last = ul_shr(ul_sub(ul_add(iova, size), 1n), PAGE_SHIFT);
  const log2_span = fls_long(first ^ last);
  if (log2_span >= ATC_INV_SIZE_ALL) return { ssid, addr: 0n, size: ATC_INV_SIZE_ALL };
  return { ssid, addr: ul_shl(ul_shr(first, log2_span), log2_span + PAGE_SHIFT), size: log2_span };
}

/**
 * arm_smmu_atc_inv_domain(): invalidate [iova, iova + size) of `ssid` (size 0: all of
 * it) in the ATC of every ATS master of the domain, then CMD_SYNC. iova is an unsigned
 * long and size a size_t, as in the kernel.
 */
export function arm_smmu_atc_inv_domain(smmu_domain: arm_smmu_domain, ssid: number, iova: unsigned_long, size: unsigned_long): number {
  iova = u64_arg("arm_smmu_atc_inv_domain", "iova", iova);
  size = u64_arg("arm_smmu_atc_inv_domain", "size", size);
  const smmu = smmu_domain.smmu;
  if (!(smmu.features & ARM_SMMU_FEAT_ATS)) return 0;
  if (!smmu_domain.nr_ats_masters) return 0;
  const inv = arm_smmu_atc_inv_to_cmd(ssid, iova, size);
  for (const master of smmu_domain.devices) {
    if (!master.ats_enabled) continue;
    for (const sid of master.sids) smmu.arm_smmu_cmdq_issue_cmd({ opcode: CMDQ_OP_ATC_INV, atc: { sid, ...inv } });
  }
  smmu.arm_smmu_cmdq_issue_sync();
  return 0;
}

/**
 * arm_smmu_write_ctx_desc(): install `cd` for `ssid` (null clears it, quiet_cd keeps
 * it valid with walks disabled), then make every master's SMMU reload it
 * (CMD_CFGI_CD, CMD_SYNC).
 */
export function arm_smmu_write_ctx_desc(smmu_domain: arm_smmu_domain, ssid: number, cd: arm_smmu_ctx_desc | null): number {
  const smmu = smmu_domain.smmu;
  if (cd === null) smmu.write_cd(ssid, { valid: false, asid: 0, epd0: false, mm: null });
  else if (cd === quiet_cd) smmu.write_cd(ssid, { ...smmu.cd(ssid), epd0: true });
  else smmu.write_cd(ssid, { valid: true, asid: cd.asid, epd0: false, mm: cd.mm });
  for (const master of smmu_domain.devices) {
    for (const sid of master.sids) smmu.arm_smmu_cmdq_issue_cmd({ opcode: CMDQ_OP_CFGI_CD, cfgi: { sid, ssid } } satisfies arm_smmu_cmdq_ent);
  }
  smmu.arm_smmu_cmdq_issue_sync();
  return 0;
}

// --- bind and unbind (arm-smmu-v3-sva.c) ---------------------------------------------

/** arm_smmu_alloc_shared_cd(): a CD sharing the CPU's ASID for mm (pinned). */
function arm_smmu_alloc_shared_cd(k: Kernel, mm: mm_struct): arm_smmu_ctx_desc {
  return kzalloc<arm_smmu_ctx_desc>(k, `arm_smmu_ctx_desc[${mm.name}]`, { asid: arm64_mm_context_get(mm), refs: 1, mm });
}

function arm_smmu_free_shared_cd(cd: arm_smmu_ctx_desc): void {
  cd.refs = cd.refs - 1;
  if (cd.refs === 0) kfree(cd);
}

/** arm_smmu_mmu_notifier_get(): the domain's notifier for mm, or a new one registered on mm. */
function arm_smmu_mmu_notifier_get(k: Kernel, smmu_domain: arm_smmu_domain, mm: mm_struct, ops: mmu_notifier_ops, name: string): arm_smmu_mmu_notifier | number {
  for (const smmu_mn of smmu_domain.mmu_notifiers) {
    if (smmu_mn.refs > 0 && smmu_mn.mn.mm === mm) {
      smmu_mn.refs = smmu_mn.refs + 1;
      return smmu_mn;
    }
  }
  const cd = arm_smmu_alloc_shared_cd(k, mm);
  const smmu_mn = kzalloc<arm_smmu_mmu_notifier>(k, `${name}.arm_smmu_mmu_notifier[${mm.name}]`, {
    mn: new mmu_notifier(k.sim, ops, `${name}.smmu_mn[${mm.name}].mn`),
    cd,
    cleared: false,
    refs: 1,
    domain: smmu_domain,
  });
  smmu_mn.mn.container = smmu_mn;
  const ret = k.mn.mmu_notifier_register(smmu_mn.mn, mm);
  if (ret) {
    kfree(smmu_mn);
    arm_smmu_free_shared_cd(cd);
    return ret;
  }
  arm_smmu_write_ctx_desc(smmu_domain, mm_get_pasid(mm), cd);
  smmu_domain.mmu_notifiers.push(smmu_mn);
  return smmu_mn;
}

/** arm_smmu_mmu_notifier_put(): the last user of the notifier tears the context down. */
function arm_smmu_mmu_notifier_put(k: Kernel, smmu_mn: arm_smmu_mmu_notifier): void {
  const mm = smmu_mn.mn.mm!;
  const cd = smmu_mn.cd;
  const smmu_domain = smmu_mn.domain;
  smmu_mn.refs = smmu_mn.refs - 1;
  if (smmu_mn.refs > 0) return;
  arm_smmu_write_ctx_desc(smmu_domain, mm_get_pasid(mm), null);
  // If release already ran, it flushed everything: nothing can have been cached since.
  if (!smmu_mn.cleared) {
    arm_smmu_tlb_inv_asid(smmu_domain.smmu, cd.asid);
    arm_smmu_atc_inv_domain(smmu_domain, mm_get_pasid(mm), 0n, 0n);
  }
  // Frees smmu_mn through ops->free_notifier.
  k.mn.mmu_notifier_put(smmu_mn.mn);
  arm_smmu_free_shared_cd(cd);
}

/** __arm_smmu_sva_bind(), under sva_lock. */
function __arm_smmu_sva_bind(k: Kernel, master: arm_smmu_master, smmu_domain: arm_smmu_domain, mm: mm_struct, ops: mmu_notifier_ops, name: string): number {
  for (const bond of master.bonds) {
    if (bond.refs > 0 && bond.mm === mm) {
      bond.refs = bond.refs + 1;
      return 0;
    }
  }
  const smmu_mn = arm_smmu_mmu_notifier_get(k, smmu_domain, mm, ops, name);
  if (typeof smmu_mn === "number") return smmu_mn;
  master.bonds.push(kzalloc<arm_smmu_bond>(k, `${name}.arm_smmu_bond[${mm.name}]`, { mm, smmu_mn, refs: 1 }));
  return 0;
}

/** arm_smmu_sva_remove_dev_pasid() (v6.4 to v6.8): under sva_lock, drop a bond; the last one puts the notifier. */
export function arm_smmu_sva_remove_dev_pasid(k: Kernel, bond: arm_smmu_bond): void {
  withMachine(k, () => {
    sva_lock.mutex_lock();
    bond.refs = bond.refs - 1;
    if (bond.refs === 0) {
      arm_smmu_mmu_notifier_put(k, bond.smmu_mn);
      kfree(bond);
    }
    sva_lock.mutex_unlock();
  });
}

const domains = new WeakMap<ArmSmmuV3, arm_smmu_domain>();

/** The domain the scenario's master is attached to. */
export function arm_smmu_domain_of(smmu: ArmSmmuV3): arm_smmu_domain {
  const d = domains.get(smmu);
  if (!d) throw new Error(`${smmu.name} was not probed by the SMMUv3 SVA driver`);
  return d;
}

/** A kernel thread step: the device driver unbinds mm (iommu_sva_unbind_device). */
export function armSmmuSvaUnbindProgram(k: Kernel, iommu: IommuModel, mm: mm_struct, name = "unbind"): ProgramBuilder {
  const smmu = iommu as ArmSmmuV3;
  const b = new ProgramBuilder(`${name} ${mm.name}`);
  // One step: the mutex is never held across steps, so release cannot find it taken.
  b.step("iommu_sva_unbind_device: arm_smmu_sva_remove_dev_pasid", () => {
    const bond = arm_smmu_domain_of(smmu).devices.flatMap((m) => m.bonds).find((bd) => bd.mm === mm && bd.refs > 0);
    if (bond) arm_smmu_sva_remove_dev_pasid(k, bond);
  });
  return b;
}

// --- the driver -----------------------------------------------------------------------

/** What a kata file (or the reference solution) provides. */
export interface ArmSmmuV3SvaModule {
  readonly arm_smmu_mmu_notifier_ops: mmu_notifier_ops;
}

export interface ArmSmmuDriverOptions {
  /** ARM_SMMU_FEAT_BTM (default false, as in mainline, which never sets it; true shows the branch the code checks). */
  readonly btm?: boolean;
  /** The master uses ATS (default true). */
  readonly ats?: boolean;
  /** ARM_SMMU_FEAT_RANGE_INV (default false). */
  readonly rangeInv?: boolean;
  /** See ArmSmmuOptions.rewalkOnPermissionFault (default true). */
  readonly rewalkOnPermissionFault?: boolean;
}

export function armSmmuV3SvaDriver(mod: ArmSmmuV3SvaModule, name = "arm", description = "ARM SMMUv3 SVA (arm-smmu-v3-sva.c)", o: ArmSmmuDriverOptions = {}): DriverSpec {
  const ats = o.ats ?? true;
  return {
    name,
    description,
    createIommu(k: Kernel): IommuModel {
      const smmu = ArmSmmuV3.probe(k, { btm: o.btm ?? false, ats, rangeInv: o.rangeInv ?? false, rewalkOnPermissionFault: o.rewalkOnPermissionFault });
      const master: arm_smmu_master = { smmu, sids: [smmu.sid], ats_enabled: ats, bonds: [] };
      domains.set(smmu, kstruct<arm_smmu_domain>(k.sim.store, `${name}.smmu_domain`, { smmu, devices: [master], nr_ats_masters: ats ? 1 : 0, mmu_notifiers: [] }));
      svaLock(k);
      return smmu;
    },
    bind(k: Kernel, iommu: IommuModel, mm: mm_struct, pasid: number): BoundContext {
      const smmu = iommu as ArmSmmuV3;
      const smmu_domain = arm_smmu_domain_of(smmu);
      // iommu_sva_bind_device(): the SVA core gives mm its PASID first.
      pasids.set(mm, pasid);
      const ret = withMachine(k, () => {
        sva_lock.mutex_lock();
        const r = __arm_smmu_sva_bind(k, smmu_domain.devices[0]!, smmu_domain, mm, opsOnMachine(k, mod.arm_smmu_mmu_notifier_ops), name);
        sva_lock.mutex_unlock();
        return r;
      });
      return { ret, tag: pasid };
    },
  };
}
