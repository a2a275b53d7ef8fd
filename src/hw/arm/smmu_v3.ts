/**
 * ARM SMMUv3 as its SVA driver sees it.
 *
 * - A context descriptor (CD) per substream (SSID, the PCIe PASID) names the process
 *   page table, the ASID its translations are tagged with, and EPD0: with EPD0 set
 *   (the "quiet" CD) the SMMU no longer walks that table and a miss aborts silently.
 *   The SMMU reads CDs through a configuration cache refreshed by CMD_CFGI_CD.
 * - The SMMU TLB, tagged by ASID.
 * - With ATS, the master's own ATC, tagged by SSID. A hit there never reaches the
 *   SMMU: neither the CD nor broadcast TLB maintenance can stop it.
 * - A bounded command queue: CMD_TLBI_NH_VA (one address of an ASID, or with
 *   ARM_SMMU_FEAT_RANGE_INV a range of NUM << SCALE pages), CMD_TLBI_NH_ASID (the whole
 *   ASID), CMD_ATC_INV (SSID and a naturally aligned power-of-two span, or all of it),
 *   CMD_CFGI_CD, and CMD_SYNC, which the driver spins on until everything queued
 *   before it has run. Commands run when the scheduler gives the SMMU a step.
 * - ARM_SMMU_FEAT_BTM: the SMMU snoops the CPUs' broadcast TLBI instructions, so its
 *   TLB drops an ASID's entries whenever the CPU TLB of that mm is flushed. This is
 *   what the SVA driver's code checks (v6.6:drivers/iommu/arm/arm-smmu-v3/arm-smmu-v3-sva.c:221),
 *   but mainline never enables it: the core driver never sets the feature and always
 *   sets CR2_PTM, private TLB maintenance (v6.5:drivers/iommu/arm/arm-smmu-v3/arm-smmu-v3.c:3336,3471).
 *   So the default SMMU here has no BTM, like every mainline one, and the driver
 *   always sends TLBIs; `btm: true` shows the branch mainline never takes.
 */
import type { Kernel } from "../../kernel/kernel";
import type { mm_struct } from "../../mm/mm";
import type { Level } from "../../mm/pgtable";
import { SlotMap } from "../../sim/store";
import { IommuModel, type TranslateResult } from "../iommu";
import { Tlb } from "../tlb";
import type { WatchedTlb } from "../../oracle/oracle";
import { CommandQueue, type Command } from "../cmdqueue";
import { nextId } from "../../kernel/ids";
import { pte_present, pte_write, pte_pfn, pte_mkyoung, pte_mkdirty, pte_dirty } from "../../mm/pte";
import { PAGE_SHIFT, PAGE_SIZE, PMD_SIZE, PUD_SIZE, hex } from "../../mm/constants";
import { u64_arg, ul_shr, type unsigned_long } from "../../mm/ulong";

/** Command opcodes, as the SMMUv3 architecture numbers them. */
export const CMDQ_OP_CFGI_CD = 0x05;
export const CMDQ_OP_TLBI_NH_ASID = 0x11;
export const CMDQ_OP_TLBI_NH_VA = 0x12;
export const CMDQ_OP_ATC_INV = 0x40;
export const CMDQ_OP_CMD_SYNC = 0x46;

/** Feature bits the driver reads from smmu.features (bit values are the model's own). */
export const ARM_SMMU_FEAT_ATS = 1 << 5;
export const ARM_SMMU_FEAT_RANGE_INV = 1 << 15;
export const ARM_SMMU_FEAT_BTM = 1 << 16;
export const ARM_SMMU_FEAT_SVA = 1 << 17;

/**
 * From this many pages one TLBI per page costs more than dropping the whole ASID:
 * 1 << (PAGE_SHIFT - 3), 512 with 4 KiB pages (the CPU's MAX_TLBI_OPS too).
 */
export const CMDQ_MAX_TLBI_OPS = 1 << (PAGE_SHIFT - 3);
/** Largest NUM of a range TLBI (a 5-bit field). */
export const CMDQ_TLBI_RANGE_NUM_MAX = 31;
/** CMD_ATC_INV size (log2 of the span in pages) meaning "every address of the SSID". */
export const ATC_INV_SIZE_ALL = 52;

/** struct arm_smmu_cmdq_ent: one command before it is encoded into the queue. */
export interface arm_smmu_cmdq_ent {
  readonly opcode: number;
  /** CMD_TLBI_NH_VA / CMD_TLBI_NH_ASID. */
  readonly tlbi?: {
    readonly asid: number;
    /** CMD_TLBI_NH_VA: the address, a u64 as the kernel's (page aligned). */
    readonly addr?: unsigned_long;
    /** Range TLBI (ARM_SMMU_FEAT_RANGE_INV only): NUM pages times 2^SCALE; 0 = one address. */
    readonly num?: number;
    readonly scale?: number;
    /**
     * Leaf=1: only last-level entries changed, so the SMMU keeps its walk cache (the
     * table pointers it cached); Leaf=0 drops those in range too (model.freePageTables).
     */
    readonly leaf?: boolean;
  };
  /** CMD_ATC_INV: the master's stream, the substream, and a 2^size-page span at addr (a u64). */
  readonly atc?: { readonly sid: number; readonly ssid: number; readonly addr: unsigned_long; readonly size: number };
  /** CMD_CFGI_CD: reload the CD of (sid, ssid). */
  readonly cfgi?: { readonly sid: number; readonly ssid: number };
}

const NAME_OF: Record<number, string> = {
  [CMDQ_OP_CFGI_CD]: "CMD_CFGI_CD",
  [CMDQ_OP_TLBI_NH_ASID]: "CMD_TLBI_NH_ASID",
  [CMDQ_OP_TLBI_NH_VA]: "CMD_TLBI_NH_VA",
  [CMDQ_OP_ATC_INV]: "CMD_ATC_INV",
  [CMDQ_OP_CMD_SYNC]: "CMD_SYNC",
};

/**
 * The ASID arm64 gave mm (arm64_mm_context_get() pins it): an SVA context shares it,
 * which is what lets BTM work. With distinct ids it comes from a range no PASID uses
 * (kernel/ids.ts), so mixing the two up shows.
 */
export function arm64_mm_context_get(mm: mm_struct): number {
  return mm.asid;
}

export interface ArmSmmuOptions {
  /** ARM_SMMU_FEAT_BTM: the SMMU TLB follows the CPUs' broadcast TLBIs (default false: mainline never sets it). */
  readonly btm?: boolean;
  /** The master uses ATS: it has an ATC of its own (default true). */
  readonly ats?: boolean;
  /** ARM_SMMU_FEAT_RANGE_INV: CMD_TLBI_NH_VA can name a range (default false). */
  readonly rangeInv?: boolean;
  /**
   * On a write through a cached read-only SMMU TLB entry, walk again (default true).
   * false faults from the cached entry, as an SMMU may: with arm64 and no
   * notifyOnUpgrade that is the livelock of the RFC's patch 2/2.
   */
  readonly rewalkOnPermissionFault?: boolean;
  /** The master's StreamID. */
  readonly sid?: number;
  /** Entries in the command queue ring. */
  readonly cmdqEntries?: number;
}

/** What a CD says, as the SMMU sees it. */
export interface CdView {
  readonly valid: boolean;
  readonly asid: number;
  /** EPD0: no walks of TTB0; a miss aborts without an event (the quiet CD). */
  readonly epd0: boolean;
  readonly mm: mm_struct | null;
}

/** The Leaf bit of a queued CMD_TLBI_NH_VA, kept above its SCALE operand. */
const TLBI_LEAF = 1 << 8;

const LEVEL_OF_SIZE = (size: number): Level => (size === PAGE_SIZE ? "pte" : size === PMD_SIZE ? "pmd" : "pud");

// CD words in the store: valid | epd0 << 1, the ASID, the mm id (kept after
// invalidation, so the oracle can still name the owner of a stale entry).
const CD_FLAGS = 0;
const CD_ASID = 1;
const CD_MM = 2;
const CD_WORDS = 4;

/** struct arm_smmu_device, the hardware half: caches, CD table, command queue. */
export class ArmSmmuV3 extends IommuModel {
  /** ARM_SMMU_FEAT_* bits. */
  readonly features: number;
  /** The SMMU TLB, tagged by ASID. */
  readonly tlb: Tlb;
  /** The ATS master's ATC, tagged by SSID (null without ATS). */
  readonly atc: Tlb | null;
  readonly cmdq: CommandQueue;
  /** The one master's StreamID. */
  readonly sid: number;
  /** CDs in memory, written by the driver. */
  private readonly cdtab: SlotMap;
  /** CDs as the SMMU has cached them: refreshed by CMD_CFGI_CD. */
  private readonly cdcache: SlotMap;
  /** Event queue records, by kind (C_BAD_CD, ...). */
  private readonly evtq: SlotMap;
  private readonly rewalk: boolean;

  constructor(
    private readonly k: Kernel,
    o: ArmSmmuOptions = {},
    name = "smmu0",
  ) {
    super(k.sim, k.phys, name, { rewalkOnPermissionFault: o.rewalkOnPermissionFault ?? true });
    const ats = o.ats ?? true;
    this.features = ARM_SMMU_FEAT_SVA | (ats ? ARM_SMMU_FEAT_ATS : 0) | (o.btm ? ARM_SMMU_FEAT_BTM : 0) | (o.rangeInv ? ARM_SMMU_FEAT_RANGE_INV : 0);
    this.rewalk = o.rewalkOnPermissionFault ?? true;
    this.sid = o.sid ?? nextId(k.sim, "devid", 0x10);
    this.tlb = new Tlb(k.sim, `${name}.tlb`, "secondary");
    this.atc = ats ? new Tlb(k.sim, `master ${hex(this.sid)}.atc`, "secondary") : null;
    this.cmdq = new CommandQueue(k.sim, `${name}.cmdq`, o.cmdqEntries ?? 16, (c) => this.execute(c));
    this.cdtab = new SlotMap(k.sim.store, `${name}.cdtab`);
    this.cdcache = new SlotMap(k.sim.store, `${name}.cdcache`);
    this.evtq = new SlotMap(k.sim.store, `${name}.evtq`);
    this.addWalkCache();
  }

  /** arm_smmu_device_probe(): create the SMMU, let the oracle watch it, hook BTM up. */
  static probe(k: Kernel, o: ArmSmmuOptions = {}, name?: string): ArmSmmuV3 {
    const smmu = k.addIommu(new ArmSmmuV3(k, o, name));
    if (smmu.features & ARM_SMMU_FEAT_BTM) k.tlbiSnoopers.push((mm, start, end) => smmu.snoopTlbi(mm, start, end));
    return smmu;
  }

  caches(): readonly Tlb[] {
    return this.atc ? [this.atc, this.tlb] : [this.tlb];
  }

  /** The ATC is tagged by SSID, the SMMU TLB by ASID: each has its own owner map. */
  override watched(): WatchedTlb[] {
    const byAsid = (asid: number): mm_struct | null => this.k.mms.find((mm) => arm64_mm_context_get(mm) === asid) ?? null;
    const w: WatchedTlb[] = [{ tlb: this.tlb, mmOfTag: byAsid }];
    if (this.atc) w.unshift({ tlb: this.atc, mmOfTag: (ssid) => this.mmOfTag(ssid) });
    return w;
  }

  // --- context descriptors -------------------------------------------------------

  private readCd(map: SlotMap, ssid: number): CdView {
    const base = ssid * CD_WORDS;
    const flags = map.get(base + CD_FLAGS);
    const mmId = map.get(base + CD_MM);
    return { valid: (flags & 1) !== 0, epd0: (flags & 2) !== 0, asid: map.get(base + CD_ASID), mm: mmId ? (this.k.mms[mmId - 1] ?? null) : null };
  }

  /**
   * Write the CD of `ssid` in memory (what arm_smmu_write_ctx_desc() stores). The
   * SMMU may keep using its cached copy until a CMD_CFGI_CD for it has run.
   */
  write_cd(ssid: number, cd: { valid: boolean; asid: number; epd0: boolean; mm: mm_struct | null }): void {
    const base = ssid * CD_WORDS;
    this.cdtab.set(base + CD_FLAGS, (cd.valid ? 1 : 0) | (cd.epd0 ? 2 : 0));
    this.cdtab.set(base + CD_ASID, cd.asid);
    if (cd.mm) this.cdtab.set(base + CD_MM, cd.mm.id);
    this.sim.log(() => `${this.name}: CD[${ssid}] = ${cd.valid ? `asid ${cd.asid}${cd.epd0 ? " EPD0 (quiet)" : ""}` : "invalid"}`);
  }

  /** The CD in memory (what the driver wrote). */
  cd(ssid: number): CdView {
    return this.readCd(this.cdtab, ssid);
  }

  /** The CD the SMMU translates with (its configuration cache). */
  liveCd(ssid: number): CdView {
    return this.readCd(this.cdcache, ssid);
  }

  /** Records in the event queue, by kind; C_BAD_CD is DMA through an invalid CD. */
  events(kind = "C_BAD_CD"): number {
    return this.evtq.get(EVENT_CODE[kind] ?? -1);
  }

  context(pasid: number): { tag: number; mm: mm_struct } | null {
    const cd = this.liveCd(pasid);
    return cd.valid && cd.mm ? { tag: pasid, mm: cd.mm } : null;
  }

  mmOfTag(ssid: number): mm_struct | null {
    return this.cd(ssid).mm;
  }

  // --- translation ----------------------------------------------------------------

  /**
   * A DMA access: the ATC first (a hit is used without asking the SMMU), then a
   * translation request to the SMMU: CD, TLB by ASID, and a walk of the CPU page
   * table unless the CD is quiet. What the SMMU returns fills the ATC too.
   */
  override translate(ssid: number, addr: number, write: boolean): TranslateResult {
    if (this.atc) {
      const hit = this.atc.lookup(ssid, addr);
      // A write to a read-only ATC entry goes back to the SMMU for a new translation.
      if (hit && (!write || (hit.write && (hit.dirty || !this.sim.model.dirtyBitWalk)))) return { ok: true, hit };
    }
    const cd = this.liveCd(ssid);
    if (!cd.valid || !cd.mm) {
      // No CD: the SMMU records C_BAD_CD for every such transaction.
      this.evtq.set(EVENT_CODE["C_BAD_CD"]!, this.evtq.get(EVENT_CODE["C_BAD_CD"]!) + 1);
      this.sim.log(() => `${this.name}: event C_BAD_CD (ssid ${ssid}, ${hex(addr)})`);
      return { ok: false, reason: "not-present" };
    }
    const hit = this.tlb.lookup(cd.asid, addr);
    // A write through a clean writable entry walks again to dirty the PTE. (v6.6's SVA
    // context descriptor does not enable HTTU, so a real SMMU sees a clean arm64 PTE as
    // read-only: the write faults and the page-fault path dirties it. The model lets the
    // walk set the bit; either way the write never goes through the cached entry.)
    if (hit && !(write && hit.write && !hit.dirty && this.sim.model.dirtyBitWalk)) {
      if (!write || hit.write) {
        // The SMMU answers the translation request from its TLB, stale or not.
        if (this.sim.model.tlbHierarchy) this.atc?.fill(ssid, hit.entry.va, LEVEL_OF_SIZE(hit.entry.size), hit.entry.pfn, hit.entry.write, hit.entry.gen, hit.entry.dirty);
        return { ok: true, hit };
      }
      if (!this.rewalk) return { ok: false, reason: "permission" };
    }
    if (cd.epd0) {
      // Quiet CD: TTB0 walks disabled, the fault is not recorded.
      this.sim.log(() => `${this.name}: ssid ${ssid} ${hex(addr)} aborted quietly (EPD0)`);
      return { ok: false, reason: "not-present" };
    }
    const mm = cd.mm;
    const e = this.walkTables(cd.asid, mm, addr);
    const w = { entry: e, level: this.walkLevel };
    if (!pte_present(w.entry)) return { ok: false, reason: "not-present" };
    if (write && !pte_write(w.entry)) return { ok: false, reason: "permission" };
    const size = w.level === "pte" ? PAGE_SIZE : w.level === "pmd" ? PMD_SIZE : PUD_SIZE;
    const base = Math.floor(addr / size) * size;
    // Accessed and dirty bits: set by the walk here (see the note above on HTTU).
    const updated = write ? pte_mkdirty(pte_mkyoung(w.entry)) : pte_mkyoung(w.entry);
    if (updated !== w.entry) {
      if (w.level === "pte") mm.pgd.write_pte(addr, updated);
      else if (w.level === "pmd") mm.pgd.write_pmd(addr, updated);
      else mm.pgd.write_pud(addr, updated);
    }
    const headPfn = pte_pfn(w.entry);
    const pfn = headPfn + Math.floor((addr - base) / PAGE_SIZE);
    const gen = this.phys.generation(pfn);
    const wr = pte_write(w.entry);
    const dirty = pte_dirty(updated);
    this.tlb.fill(cd.asid, base, w.level, headPfn, wr, gen, dirty);
    this.atc?.fill(ssid, base, w.level, headPfn, wr, gen, dirty);
    this.sim.log(() => `${this.name}: walk ssid ${ssid} (asid ${cd.asid}) ${hex(addr)} -> pfn ${pfn}`);
    return { ok: true, hit: { pfn, write: wr, dirty, gen, entry: { tag: cd.asid, va: base, size, pfn: headPfn, write: wr, dirty, gen } } };
  }

  /** BTM: a CPU TLBI for mm's ASID reaches the SMMU TLB at once (the CPU's DSB waits for it). */
  snoopTlbi(mm: mm_struct, start: number, end: number): void {
    if (!(this.features & ARM_SMMU_FEAT_BTM)) return;
    const n = this.tlb.invalidateRange(arm64_mm_context_get(mm), start, end);
    // The CPU's TLBI for a range whose tables were freed is not leaf-only (conservative).
    this.invalidateWalks(arm64_mm_context_get(mm), start, end);
    if (n) this.sim.log(() => `${this.name}: BTM: snooped TLBI for asid ${arm64_mm_context_get(mm)} dropped ${n} entr${n === 1 ? "y" : "ies"}`);
  }

  // --- the command queue ----------------------------------------------------------

  hasPendingWork(): boolean {
    return this.cmdq.pending > 0;
  }

  override nextWork(): string {
    const op = this.cmdq.headOp();
    return `execute ${NAME_OF[op] ?? `opcode ${hex(op)}`}`;
  }

  doPendingWork(): string {
    const op = this.cmdq.headOp();
    this.cmdq.consumeOne();
    return `${this.name} executed ${NAME_OF[op] ?? `opcode ${hex(op)}`}`;
  }

  /** Count a command under the name a notebook plots it by. */
  private kindOf(ent: arm_smmu_cmdq_ent): string {
    const name = NAME_OF[ent.opcode] ?? `opcode ${hex(ent.opcode)}`;
    if (ent.opcode === CMDQ_OP_TLBI_NH_VA && (ent.tlbi?.num ?? 0) > 0 && this.features & ARM_SMMU_FEAT_RANGE_INV) return `${name} (range)`;
    if (ent.opcode === CMDQ_OP_ATC_INV && (ent.atc?.size ?? 0) >= ATC_INV_SIZE_ALL) return `${name} (all)`;
    return name;
  }

  /**
   * arm_smmu_cmdq_issue_cmd(): encode a command at the tail of the queue. It runs
   * when the SMMU gets to it; nothing waits for it.
   */
  arm_smmu_cmdq_issue_cmd(ent: arm_smmu_cmdq_ent): void {
    const kind = this.kindOf(ent);
    this.charge(kind);
    const t = ent.tlbi;
    const a = ent.atc;
    const c = ent.cfgi;
    const tlbiPage = t?.addr === undefined ? 0 : pageOf("tlbi.addr", t.addr);
    const atcPage = a?.addr === undefined ? 0 : pageOf("atc.addr", a.addr);
    switch (ent.opcode) {
      case CMDQ_OP_TLBI_NH_VA:
        this.cmdq.push(ent.opcode, t?.asid ?? 0, tlbiPage, t?.num ?? 0, (t?.scale ?? 0) | (t?.leaf ? TLBI_LEAF : 0));
        break;
      case CMDQ_OP_TLBI_NH_ASID:
        this.cmdq.push(ent.opcode, t?.asid ?? 0);
        break;
      case CMDQ_OP_ATC_INV:
        this.cmdq.push(ent.opcode, a?.sid ?? 0, a?.ssid ?? 0, atcPage, a?.size ?? 0);
        break;
      case CMDQ_OP_CFGI_CD:
        this.cmdq.push(ent.opcode, c?.sid ?? 0, c?.ssid ?? 0);
        break;
      default:
        this.cmdq.push(ent.opcode);
    }
    if (this.sim.tracing) this.sim.log(() => `${this.name}: queue ${kind} ${describe(ent)}`);
  }

  /** Queue a CMD_SYNC and spin until the SMMU completes it: every earlier command has run (docs/KERNEL-FACTS.md#cmd-waits). */
  arm_smmu_cmdq_issue_sync(): void {
    this.arm_smmu_cmdq_issue_cmd({ opcode: CMDQ_OP_CMD_SYNC });
    this.cmdq.sync("CMD_SYNC");
  }

  /** arm_smmu_cmdq_issue_cmd_with_sync(): one command, then CMD_SYNC. */
  arm_smmu_cmdq_issue_cmd_with_sync(ent: arm_smmu_cmdq_ent): void {
    this.arm_smmu_cmdq_issue_cmd(ent);
    this.arm_smmu_cmdq_issue_sync();
  }

  /** Commands the SMMU has executed so far. */
  get executed(): number {
    return this.cmdq.executed;
  }

  private execute(c: Command): void {
    switch (c.op) {
      case CMDQ_OP_TLBI_NH_VA: {
        const start = c.b * PAGE_SIZE;
        // NUM and SCALE are RES0 without range support: one address, whatever the span.
        const ranged = c.c > 0 && (this.features & ARM_SMMU_FEAT_RANGE_INV) !== 0;
        const scale = c.d & (TLBI_LEAF - 1);
        const pages = ranged ? c.c * 2 ** scale : 1;
        this.tlb.invalidateRange(c.a, start, start + pages * PAGE_SIZE);
        // Leaf=0: the walk-cache entries used to translate these addresses go too.
        if ((c.d & TLBI_LEAF) === 0) this.invalidateWalks(c.a, start, start + pages * PAGE_SIZE);
        break;
      }
      case CMDQ_OP_TLBI_NH_ASID:
        this.tlb.invalidateTag(c.a);
        this.walkCache?.invalidateTag(c.a);
        break;
      case CMDQ_OP_ATC_INV: {
        // The request goes to the master named by the StreamID; the span is naturally aligned.
        if (!this.atc || c.a !== this.sid) break;
        if (c.d >= ATC_INV_SIZE_ALL) {
          this.atc.invalidateTag(c.b);
        } else {
          const span = 2 ** c.d;
          const first = Math.floor(c.c / span) * span;
          this.atc.invalidateRange(c.b, first * PAGE_SIZE, (first + span) * PAGE_SIZE);
        }
        break;
      }
      case CMDQ_OP_CFGI_CD: {
        if (c.a !== this.sid) break;
        const base = c.b * CD_WORDS;
        for (let i = 0; i < CD_WORDS; i++) this.cdcache.set(base + i, this.cdtab.get(base + i));
        break;
      }
      default:
        break; // CMD_SYNC: its waiting is done by the issuer
    }
  }
}

const EVENT_CODE: Record<string, number> = { C_BAD_CD: 0x0a };

/** The page number a command's u64 address names: at most 52 bits, which a JS number holds exactly. */
const pageOf = (what: string, addr: unsigned_long): number => Number(ul_shr(u64_arg("arm_smmu_cmdq_issue_cmd", what, addr), PAGE_SHIFT));

const hex64 = (a: unsigned_long | undefined): string => `0x${(a ?? 0n).toString(16)}`;

function describe(ent: arm_smmu_cmdq_ent): string {
  const t = ent.tlbi;
  const a = ent.atc;
  switch (ent.opcode) {
    case CMDQ_OP_TLBI_NH_VA:
      return `asid ${t?.asid} ${hex64(t?.addr)}${t?.num ? ` num ${t.num} scale ${t.scale ?? 0}` : ""}${t?.leaf ? " leaf" : ""}`;
    case CMDQ_OP_TLBI_NH_ASID:
      return `asid ${t?.asid}`;
    case CMDQ_OP_ATC_INV:
      return `sid ${hex(a?.sid ?? 0)} ssid ${a?.ssid} ${(a?.size ?? 0) >= ATC_INV_SIZE_ALL ? "all" : `${hex64(a?.addr)} size 2^${a?.size} pages`}`;
    case CMDQ_OP_CFGI_CD:
      return `sid ${hex(ent.cfgi?.sid ?? 0)} ssid ${ent.cfgi?.ssid}`;
    default:
      return "";
  }
}

/** The kernel's name for the SMMU's driver-visible state. */
export type arm_smmu_device = ArmSmmuV3;
