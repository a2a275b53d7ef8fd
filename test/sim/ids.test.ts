/**
 * Identifiers that differ (issue 11, item 3). With model.distinctIds each identifier
 * family (PASID, domain id, ASID, requester id, mm context id) comes from its own range,
 * so a driver that passes one where another belongs, or a number it saw in an old trace,
 * invalidates nothing; with it off the first model's equal small numbers come back and
 * the same drivers pass (a test of the test). The shared-iommu scenario binds two
 * processes to one IOMMU, so an invalidation for the other process leaves the right
 * entry cached. model.idSeed draws the ids from a seed.
 */
import { describe, expect, it } from "vitest";
import fs from "node:fs";
import path from "node:path";
import {
  explore,
  findScenario,
  sharedIommuScenarios,
  withIdSeed,
  ID_RANGES,
  amdIommuV2Driver,
  armSmmuV3SvaDriver,
  intelSvmDriver,
  ocxlDriver,
  container_of,
  mn_to_smmu,
  mm_get_pasid,
  arm_smmu_tlb_inv_asid,
  arm_smmu_atc_inv_domain,
  build_inv_iommu_pasid,
  build_inv_iotlb_pasid,
  build_p_iotlb_inv_dsc_all,
  build_dev_tlb_pasid_inv_dsc_all,
  rcu_read_lock,
  rcu_read_unlock,
  list_for_each_entry_rcu,
  AmdIommu,
  ArmSmmuV3,
  IntelIommu,
  FLPT_DEFAULT_DID,
  PAGE_SIZE,
  type DriverSpec,
  type KernelOptions,
  type Scenario,
  type World,
  type mmu_notifier_ops,
  type pasid_state,
  type intel_svm,
  type pe_data,
  type arm_smmu_mmu_notifier,
  type IdFamily,
} from "tlbkata";
import { iommu_mn as amdRef } from "../../solutions/05-amd-iommu-v2/amd_iommu_v2";
import { arm_smmu_mmu_notifier_ops as armRef } from "../../solutions/06-arm-smmu-v3-sva/arm_smmu_v3_sva";
import { intel_mmuops as intelRef } from "../../solutions/07-intel-svm/intel_svm";
import { ocxl_mmu_notifier_ops as ocxlRef, pnv_ocxl_tlb_invalidate } from "../../solutions/08-ocxl/link";

type Vendor = "amd" | "arm" | "intel" | "ocxl";

/** A vendor driver around a set of mmu_notifier ops. */
function vendorDriver(v: Vendor, ops: mmu_notifier_ops): DriverSpec {
  switch (v) {
    case "amd":
      return amdIommuV2Driver({ iommu_mn: ops });
    case "arm":
      return armSmmuV3SvaDriver({ arm_smmu_mmu_notifier_ops: ops });
    case "intel":
      return intelSvmDriver({ intel_mmuops: ops });
    case "ocxl":
      return ocxlDriver({ ocxl_mmu_notifier_ops: ops });
  }
}

const REFERENCE: Readonly<Record<Vendor, mmu_notifier_ops>> = { amd: amdRef, arm: armRef, intel: intelRef, ocxl: ocxlRef };

function build(scenario: string, driver: DriverSpec, kernel: KernelOptions = {}): World {
  const s = findScenario(scenario);
  if (!s) throw new Error(`no scenario ${scenario}`);
  return s.build(driver, kernel);
}

interface Found {
  readonly rule: string | null;
  readonly complete: boolean;
  /** Every event of the counterexample's trace and its message, as one text. */
  readonly text: string;
}

/** Exhaustive exploration: the first rule broken (set-up violations first), or null. */
function find(scenario: string, driver: DriverSpec, kernel: KernelOptions = {}): Found {
  return findIn(findScenario(scenario)!, driver, kernel);
}

function findIn(scenario: Scenario, driver: DriverSpec, kernel: KernelOptions = {}): Found {
  const w = scenario.build(driver, kernel);
  const setup = w.setupViolations[0];
  if (setup) return { rule: setup.rule, complete: true, text: setup.message };
  const r = explore(w);
  const cx = r.violation;
  const text = cx ? [...cx.trace.steps.flatMap((s) => s.events), cx.violation.message].join("\n") : "";
  return { rule: cx?.violation.rule ?? null, complete: r.complete, text };
}

const OFF: KernelOptions = { model: { distinctIds: false } };
const ON: KernelOptions = { model: { distinctIds: true } };
/** What a stale secondary TLB entry is caught by first in these scenarios. */
const STALE = ["stale-tlb-at-free", "stale-tlb-after-ptl-release", "use-after-free", "corruption"];

// --- wrong drivers ---------------------------------------------------------------------

/** AMD: domain id and PASID swapped in INVALIDATE_IOMMU_PAGES (the same under old ids: 1 and 1). */
const amdSwapped: mmu_notifier_ops = {
  ...amdRef,
  name: "amd, domain id and PASID swapped",
  invalidate_secondary_tlbs(mn) {
    const ps = container_of<pasid_state>(mn);
    const d = ps.device_state;
    d.iommu.iommu_queue_command(build_inv_iommu_pasid(ps.pasid, d.domain.id, 0n, true));
    d.iommu.iommu_completion_wait();
    d.iommu.iommu_queue_command(build_inv_iotlb_pasid(d.devid, ps.pasid, 0n, true));
    d.iommu.iommu_completion_wait();
  },
};

/** AMD: the numbers the old traces showed, written in ("id 0x1 pasid 1", device 0x100). */
const amdFixed: mmu_notifier_ops = {
  ...amdRef,
  name: "amd, fixed ids",
  invalidate_secondary_tlbs(mn) {
    const d = container_of<pasid_state>(mn).device_state;
    d.iommu.iommu_queue_command(build_inv_iommu_pasid(1, 1, 0n, true));
    d.iommu.iommu_completion_wait();
    d.iommu.iommu_queue_command(build_inv_iotlb_pasid(0x100, 1, 0n, true));
    d.iommu.iommu_completion_wait();
  },
};

/** ARM: the PASID sent as the ASID of the TLBI and the ASID as the SSID of the ATC_INV. */
const armSwapped: mmu_notifier_ops = {
  ...armRef,
  name: "arm, ASID and PASID swapped",
  invalidate_secondary_tlbs(mn, mm) {
    const smmu_mn = mn_to_smmu(mn);
    arm_smmu_tlb_inv_asid(smmu_mn.domain.smmu, mm_get_pasid(mm));
    arm_smmu_atc_inv_domain(smmu_mn.domain, smmu_mn.cd.asid, 0n, 0n);
  },
};

/** ARM: the ASID of one of the domain's notifiers (`pick`), whichever process this callback is for. */
function armOtherAsid(name: string, pick: (all: readonly arm_smmu_mmu_notifier[]) => arm_smmu_mmu_notifier): mmu_notifier_ops {
  return {
    ...armRef,
    name,
    invalidate_secondary_tlbs(mn, mm) {
      const smmu_mn = mn_to_smmu(mn);
      arm_smmu_tlb_inv_asid(smmu_mn.domain.smmu, pick(smmu_mn.domain.mmu_notifiers).cd.asid);
      arm_smmu_atc_inv_domain(smmu_mn.domain, mm_get_pasid(mm), 0n, 0n);
    },
  };
}
const armFirstAsid = armOtherAsid("arm, the domain's first ASID", (all) => all[0]!);
const armNewestAsid = armOtherAsid("arm, the domain's newest ASID", (all) => all[all.length - 1]!);

/**
 * Intel: whole-PASID invalidations, the IOTLB descriptor tagged with what `iotlb`
 * chooses and the device-TLB descriptor with what `devtlb` chooses.
 */
function intelFlushAll(name: string, iotlb: (svm: intel_svm, did: number) => { did: number; pasid: number }, devtlb: (svm: intel_svm) => number): mmu_notifier_ops {
  return {
    ...intelRef,
    name,
    invalidate_secondary_tlbs(mn) {
      const svm = container_of<intel_svm>(mn);
      rcu_read_lock(svm.sim);
      for (const sdev of list_for_each_entry_rcu(svm.devs)) {
        const { did, pasid } = iotlb(svm, sdev.did);
        sdev.iommu.qi_submit(build_p_iotlb_inv_dsc_all(did, pasid));
        if (sdev.dev_iotlb) sdev.iommu.qi_submit(build_dev_tlb_pasid_inv_dsc_all(sdev.sid, devtlb(svm), sdev.qdep));
        sdev.iommu.qi_wait();
      }
      rcu_read_unlock(svm.sim);
    },
  };
}
/** Intel: DID and PASID swapped in the IOTLB descriptor (the IOTLB keeps the entry; the device-TLB's descriptor is right). */
const intelSwapped = intelFlushAll("intel, DID and PASID swapped", (svm, did) => ({ did: svm.pasid, pasid: did }), (svm) => svm.pasid);
/** Intel: the PASID the old traces showed, written in. */
const intelFixed = intelFlushAll("intel, fixed PASID", () => ({ did: FLPT_DEFAULT_DID, pasid: 1 }), () => 1);
/** The Intel flush-all shape with the right ids: it must pass where the two above fail. */
const intelRightIds = intelFlushAll("intel, flush all", (svm, did) => ({ did, pasid: svm.pasid }), (svm) => svm.pasid);

/** OpenCAPI: one ATSD per page, naming `pid(pe)` as the PID. */
function ocxlWith(name: string, pid: (pe: pe_data, mmPid: number) => number): mmu_notifier_ops {
  return {
    ...ocxlRef,
    name,
    invalidate_secondary_tlbs(mn, mm, start, end) {
      const pe = container_of<pe_data>(mn);
      const link = pe.link;
      if (!link.arva) return;
      link.atsd_lock.spin_lock();
      for (let a = start; a < end; a += PAGE_SIZE) pnv_ocxl_tlb_invalidate(link.arva, BigInt(pid(pe, mm.context_id)), BigInt(a), BigInt(PAGE_SIZE));
      link.atsd_lock.spin_unlock();
    },
  };
}
/** OpenCAPI: the PE handle (the PASID) put where the PID (mm->context.id) belongs. */
const ocxlPeHandle = ocxlWith("ocxl, PE handle as the PID", (pe) => [...pe.link.spa.pe_tree].find(([, d]) => d === pe)![0]);
/** OpenCAPI: the PID of the link's first (or newest) process element, whichever context this callback is for. */
const ocxlFirstPid = ocxlWith("ocxl, the link's first PID", (pe) => [...pe.link.spa.spa_mem.values()][0]!.pid);
const ocxlNewestPid = ocxlWith("ocxl, the link's newest PID", (pe) => [...pe.link.spa.spa_mem.values()].at(-1)!.pid);

// --- the identifiers themselves -----------------------------------------------------------

/** The ids a built munmap world gave its first process, by family. */
function idsOf(v: Vendor, kernel: KernelOptions): Record<string, number> {
  const w = build("munmap", vendorDriver(v, REFERENCE[v]), kernel);
  const mm = w.k.mms[0]!;
  const io = w.k.iommus[0]!;
  const out: Record<string, number> = { pasid: mm.pasid, "context id": mm.context_id, asid: mm.asid };
  if (io instanceof AmdIommu) Object.assign(out, { "domain id": io.domid, devid: io.devid });
  if (io instanceof ArmSmmuV3) Object.assign(out, { devid: io.sid });
  if (io instanceof IntelIommu) Object.assign(out, { devid: io.sid, did: io.pasid_entry_did(mm.pasid) });
  return out;
}

describe("identifiers", () => {
  it.each(["amd", "arm", "intel", "ocxl"] as const)("%s: with distinctIds each family is in its own range and no two coincide; off, the old small numbers", (v) => {
    const on = idsOf(v, ON);
    for (const [family, value] of Object.entries(on)) {
      if (family === "did") {
        expect(value).toBe(FLPT_DEFAULT_DID);
        continue;
      }
      const r = ID_RANGES[family as IdFamily];
      expect(value, family).toBeGreaterThanOrEqual(r.first);
      expect(value, family).toBeLessThanOrEqual(r.last);
    }
    expect(new Set(Object.values(on)).size).toBe(Object.keys(on).length);
    const off = idsOf(v, OFF);
    expect(off).toMatchObject({ pasid: 1, "context id": 1, asid: 1 });
    if (v === "amd") expect(off["domain id"]).toBe(1);
    if (v === "intel") expect(off.did).toBe(1);
  });

  it("the ranges are disjoint", () => {
    const rs = Object.values(ID_RANGES).sort((a, b) => a.first - b.first);
    for (let i = 1; i < rs.length; i++) expect(rs[i]!.first).toBeGreaterThan(rs[i - 1]!.last);
  });

  it("idSeed: the same seed gives the same ids, other seeds other ids, all inside the ranges", () => {
    const seeded = (idSeed: number) => idsOf("amd", { model: { distinctIds: true, idSeed } });
    expect(seeded(7)).toEqual(seeded(7));
    const all = [1, 2, 3, 4].map(seeded);
    expect(new Set(all.map((x) => JSON.stringify(x))).size).toBeGreaterThan(1);
    for (const ids of all) {
      for (const [family, value] of Object.entries(ids)) {
        const r = ID_RANGES[family as IdFamily];
        expect(value).toBeGreaterThanOrEqual(r.first);
        expect(value).toBeLessThanOrEqual(r.last);
        expect((value - r.first) % r.step).toBe(0);
      }
    }
  });

  it("withIdSeed: a scenario whose ids come from the seed, whatever else the kernel options say", () => {
    const munmap = findScenario("munmap")!;
    const pasid = (seed: number) => withIdSeed(munmap, seed).build(vendorDriver("amd", amdRef), { cpus: 2 }).k.mms[0]!.pasid;
    expect(pasid(9)).toBe(pasid(9));
    expect(new Set([1, 2, 3, 4, 5].map(pasid)).size).toBeGreaterThan(1);
    expect(withIdSeed(munmap, 9).name).toBe("munmap");
  });

  it("the shared-iommu processes get different PASIDs, ASIDs and context ids, both with and without distinct ids", () => {
    for (const kernel of [ON, OFF]) {
      const w = build("shared-iommu", vendorDriver("arm", armRef), kernel);
      const [a, b] = w.k.mms;
      expect(a!.pasid).not.toBe(b!.pasid);
      expect(a!.asid).not.toBe(b!.asid);
      expect(a!.context_id).not.toBe(b!.context_id);
    }
  });
});

// --- wrong identifiers, per vendor ----------------------------------------------------------

interface WrongCase {
  readonly vendor: Vendor;
  readonly ops: mmu_notifier_ops;
  /** What the trace shows the driver sending, with distinct ids. */
  readonly sent: (pasid: number, w: World) => RegExp;
}

/** PASID, domain id, ASID, DID or PID swapped: passes with the old equal numbers, caught with distinct ones. */
const SWAPPED: readonly WrongCase[] = [
  { vendor: "amd", ops: amdSwapped, sent: (pasid, w) => new RegExp(`INVALIDATE_IOMMU_PAGES id ${hex(pasid)} pasid ${(w.k.iommus[0] as AmdIommu).domid} all pages`) },
  { vendor: "arm", ops: armSwapped, sent: (pasid) => new RegExp(`CMD_TLBI_NH_ASID asid ${pasid}\\b`) },
  { vendor: "intel", ops: intelSwapped, sent: (pasid) => new RegExp(`p_iotlb_inv_dsc did ${pasid} pasid ${FLPT_DEFAULT_DID} all`) },
  { vendor: "ocxl", ops: ocxlPeHandle, sent: (pasid) => new RegExp(`XTS_ATSD_LAUNCH <- PID ${pasid} `) },
];

function hex(n: number): string {
  return `0x${n.toString(16)}`;
}

describe.each(SWAPPED)("$vendor: $ops.name", (c) => {
  const drv = vendorDriver(c.vendor, c.ops);

  it("passes the one-process munmap with distinctIds off (the old model could not see it)", () => {
    const r = find("munmap", drv, OFF);
    expect(r.rule).toBeNull();
    expect(r.complete).toBe(true);
  });

  it("is caught with distinctIds on, and the trace shows the swapped ids", () => {
    const r = find("munmap", drv, ON);
    expect(STALE).toContain(r.rule);
    const w = build("munmap", drv, ON);
    expect(r.text).toMatch(c.sent(w.k.mms[0]!.pasid, w));
  });

  it("is caught with ids drawn from a seed", () => {
    for (const idSeed of [3, 11]) expect(STALE).toContain(find("munmap", drv, { model: { distinctIds: true, idSeed } }).rule);
  });

  it("is caught on the shared IOMMU scenarios drawn from seeds (withIdSeed)", () => {
    for (const s of sharedIommuScenarios) for (const seed of [2, 8]) expect(STALE).toContain(findIn(withIdSeed(s, seed), drv, ON).rule);
  });
});

/**
 * A fixed number, or the other process's id: passes with one process (and old ids for
 * the fixed numbers), caught on the shared-iommu scenario named, with and without
 * distinct ids unless `onlyDistinct` (a fixed 1 is right for a first process under old ids).
 */
const OTHER: readonly { vendor: Vendor; ops: mmu_notifier_ops; passes: KernelOptions; caughtOn: string; onlyDistinct?: boolean }[] = [
  { vendor: "amd", ops: amdFixed, passes: OFF, caughtOn: "shared-iommu" },
  { vendor: "amd", ops: amdFixed, passes: OFF, caughtOn: "shared-iommu-first", onlyDistinct: true },
  { vendor: "intel", ops: intelFixed, passes: OFF, caughtOn: "shared-iommu" },
  { vendor: "intel", ops: intelFixed, passes: OFF, caughtOn: "shared-iommu-first", onlyDistinct: true },
  { vendor: "arm", ops: armFirstAsid, passes: ON, caughtOn: "shared-iommu" },
  { vendor: "arm", ops: armNewestAsid, passes: ON, caughtOn: "shared-iommu-first" },
  { vendor: "ocxl", ops: ocxlFirstPid, passes: ON, caughtOn: "shared-iommu" },
  { vendor: "ocxl", ops: ocxlNewestPid, passes: ON, caughtOn: "shared-iommu-first" },
];

describe.each(OTHER)("$vendor: $ops.name on $caughtOn", (c) => {
  const drv = vendorDriver(c.vendor, c.ops);

  it("passes the one-process munmap", () => {
    const r = find("munmap", drv, c.passes);
    expect(r.rule).toBeNull();
    expect(r.complete).toBe(true);
  });

  it(`is caught on ${c.caughtOn}, where the unmapping process's page stays cached`, () => {
    expect(STALE).toContain(find(c.caughtOn, drv, ON).rule);
    const off = find(c.caughtOn, drv, OFF);
    if (c.onlyDistinct) expect(off.rule).toBeNull();
    else expect(STALE).toContain(off.rule);
  });
});

it("the Intel flush-all shape with the right ids passes where the swapped and fixed ones fail (the tests above test the ids, not the shape)", () => {
  for (const s of ["munmap", "shared-iommu", "shared-iommu-first"]) expect(find(s, vendorDriver("intel", intelRightIds), ON).rule).toBeNull();
});

// --- every reference solution and variant on the shared IOMMU ----------------------------

const KATA_OF: Readonly<Record<Vendor, { dir: string; key: string }>> = {
  amd: { dir: "05-amd-iommu-v2", key: "iommu_mn" },
  arm: { dir: "06-arm-smmu-v3-sva", key: "arm_smmu_mmu_notifier_ops" },
  intel: { dir: "07-intel-svm", key: "intel_mmuops" },
  ocxl: { dir: "08-ocxl", key: "ocxl_mmu_notifier_ops" },
};

const ROOT = path.resolve(__dirname, "../..");
const solutionFiles = (Object.keys(KATA_OF) as Vendor[]).flatMap((vendor) => {
  const dir = path.join(ROOT, "solutions", KATA_OF[vendor].dir);
  const files = [
    ...fs.readdirSync(dir).filter((f) => f.endsWith(".ts")),
    ...fs.readdirSync(path.join(dir, "variants")).filter((f) => f.endsWith(".ts")).map((f) => `variants/${f}`),
  ];
  return files.map((file) => ({ vendor, file: `${KATA_OF[vendor].dir}/${file}` }));
});

describe.each(solutionFiles)("solutions/$file", ({ vendor, file }) => {
  it.each(sharedIommuScenarios.map((s) => s.name))("is proven coherent on %s, with distinct, seeded and old ids", async (name) => {
    const mod = (await import(path.join(ROOT, "solutions", file))) as Record<string, mmu_notifier_ops>;
    const drv = vendorDriver(vendor, mod[KATA_OF[vendor].key]!);
    for (const kernel of [ON, OFF, { model: { distinctIds: true, idSeed: 5 } }]) {
      const r = find(name, drv, kernel);
      expect(r.rule).toBeNull();
      expect(r.complete).toBe(true);
    }
  });
});
