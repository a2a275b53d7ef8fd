/**
 * An OpenCAPI link as drivers/misc/ocxl/link.c sees it where the link has MMIO
 * shootdown registers (OpenCAPI 4.0/5.0 on POWER10's PAU; POWER9's nest MMU snoops
 * the CPUs' TLBIs instead, docs/KERNEL-FACTS.md#ocxl-nest-mmu): an accelerator
 * (AFU) with a translation cache of its own, tagged by PID (mm->context.id), that
 * walks the process's radix page table whenever it misses; a Shared Process Area
 * (SPA) in memory, one process element per attached context, telling the hardware
 * which PID a context uses; and one block of ATSD (address translation shootdown)
 * MMIO registers per link, shared by every process attached to it:
 *
 *   XTS_ATSD_AVA     the address of the page to shoot down
 *   XTS_ATSD_LAUNCH  writing it starts a shootdown: PID, page size (AP), scope (IS)
 *   XTS_ATSD_STAT    XTS_ATSD_STAT_PENDING is set until the shootdown has been done
 *
 * The engine has one set of registers and reads them when it performs the shootdown,
 * at a step of its own (or while a CPU spins on XTS_ATSD_STAT). So a shootdown left in
 * flight is still pending later, and whoever writes the registers next retargets it:
 * writing them is only safe under the link's atsd_lock, with the status polled before
 * the lock is dropped. Register accesses check that the lock guarding the mapping is
 * held (lockdep_assert_held: rule register-not-held). A driver callback runs inside one
 * simulation step, so two CPUs can never be half-way through a register sequence at
 * once here: that check stands for the race, and a shootdown left in flight shows its
 * harm (another process's shootdown takes it over). Kernel: docs/KERNEL-FACTS.md#ocxl-atsd
 * and #cmd-waits (the poll of XTS_ATSD_STAT).
 */
import type { Sim } from "../../sim/sim";
import type { PhysMem } from "../../mm/frames";
import type { mm_struct } from "../../mm/mm";
import type { SpinLock } from "../../locking/lock";
import { Cell } from "../../sim/store";
import { IommuModel } from "../iommu";
import { Tlb } from "../tlb";
import { PAGE_SIZE, PMD_SIZE, PUD_SIZE, hex } from "../../mm/constants";
import type { unsigned_long } from "../../mm/ulong";

/** Register offsets in the ATSD MMIO block (arva + offset in C). */
export const XTS_ATSD_LAUNCH = 0x00;
export const XTS_ATSD_AVA = 0x08;
export const XTS_ATSD_STAT = 0x10;

/*
 * XTS_ATSD_LAUNCH fields, where the hardware has them (IBM bit 0 is the most
 * significant: PPC_BITMASK(19, 38) is bits 44..25): IS at IBM 11-12, AP at 15-17, PID
 * at 19-38 (v6.5:arch/powerpc/include/asm/pnv-ocxl.h:32,43,50). IS, AP and the PID's
 * upper 13 bits sit above bit 31, so a launch value computed in 32 bits (JavaScript's
 * << and |, or a C u32) loses them and keeps only the PID's low 7 bits. The register has more fields (R, RIC, PRS, ...) that the kernel always sets
 * alike; this model reads only the three a driver chooses and ignores the others.
 */
export const XTS_ATSD_LAUNCH_PID_SHIFT = 25;
export const XTS_ATSD_LAUNCH_PID_MASK = 0xfffff;
export const XTS_ATSD_LAUNCH_AP_SHIFT = 46;
export const XTS_ATSD_LAUNCH_AP_MASK = 0x7;
export const XTS_ATSD_LAUNCH_IS_SHIFT = 51;
export const XTS_ATSD_LAUNCH_IS_MASK = 0x3;

/** IS (invalidation selector): the one page at XTS_ATSD_AVA, or every translation of the PID. */
export const XTS_ATSD_IS_VA = 0;
export const XTS_ATSD_IS_PID = 1;

/** AP (actual page size) codes, as the radix MMU encodes them. */
export const XTS_ATSD_AP_4K = 0b000;
export const XTS_ATSD_AP_64K = 0b101;
export const XTS_ATSD_AP_2M = 0b001;
export const XTS_ATSD_AP_1G = 0b010;

/** XTS_ATSD_STAT: its top bit is set while a launched shootdown has not been performed (the kernel tests `val >> 63`). */
export const XTS_ATSD_STAT_PENDING: unsigned_long = 1n << 63n;

const AP_SIZE: Readonly<Record<number, number>> = {
  [XTS_ATSD_AP_4K]: PAGE_SIZE,
  [XTS_ATSD_AP_64K]: 16 * PAGE_SIZE,
  [XTS_ATSD_AP_2M]: PMD_SIZE,
  [XTS_ATSD_AP_1G]: PUD_SIZE,
};
const AP_NAME: Readonly<Record<number, string>> = {
  [XTS_ATSD_AP_4K]: "4K",
  [XTS_ATSD_AP_64K]: "64K",
  [XTS_ATSD_AP_2M]: "2M",
  [XTS_ATSD_AP_1G]: "1G",
};

/** Cost keys, by page size code. */
const ATSD_KIND: Readonly<Record<number, string>> = Object.fromEntries(Object.entries(AP_NAME).map(([ap, n]) => [ap, `ATSD ${n}`]));

/** XTS_ATSD_AVA keeps the page number (the address >> 12) in two store slots: low 31 bits, and the rest. */
const AVA_SHIFT = 12n;
const AVA_WORD_BITS = 31n;
const AVA_WORD_MASK = (1n << AVA_WORD_BITS) - 1n;

/** The launch fields as one store slot (a slot holds 32 bits; the fields need 25). */
const packLaunch = (l: AtsdLaunch): number => l.pid + l.ap * 2 ** 20 + l.is * 2 ** 23;
const unpackLaunch = (w: number): AtsdLaunch => ({ pid: w % 2 ** 20, ap: Math.floor(w / 2 ** 20) % 8, is: Math.floor(w / 2 ** 23) % 4 });

const REG_NAME: Readonly<Record<number, string>> = {
  [XTS_ATSD_LAUNCH]: "XTS_ATSD_LAUNCH",
  [XTS_ATSD_AVA]: "XTS_ATSD_AVA",
  [XTS_ATSD_STAT]: "XTS_ATSD_STAT",
};

/** One process element of the SPA, as the hardware reads it. */
export interface ocxl_process_element {
  readonly pasid: number;
  lpid: number;
  /** mm->context.id: the PID the accelerator tags its translations with. */
  pid: number;
  tid: number;
  /** SPA_PE_VALID when in use. */
  software_state: number;
}

export const SPA_PE_VALID = 0x80000000;

export interface OcxlLinkOptions {
  /** The link has ATSD registers (pnv_ocxl_map_lpar mapped them). Default true. */
  readonly atsd?: boolean;
}

/** What a launch register value says, decoded. */
export interface AtsdLaunch {
  readonly pid: number;
  readonly ap: number;
  readonly is: number;
}

const field = (val: unsigned_long, shift: number, mask: number): number => Number((val >> BigInt(shift)) & BigInt(mask));

export function decode_atsd_launch(val: unsigned_long): AtsdLaunch {
  return {
    pid: field(val, XTS_ATSD_LAUNCH_PID_SHIFT, XTS_ATSD_LAUNCH_PID_MASK),
    ap: field(val, XTS_ATSD_LAUNCH_AP_SHIFT, XTS_ATSD_LAUNCH_AP_MASK),
    is: field(val, XTS_ATSD_LAUNCH_IS_SHIFT, XTS_ATSD_LAUNCH_IS_MASK),
  };
}

/** The launch value with these fields (the others zero). */
export function encode_atsd_launch(l: AtsdLaunch): unsigned_long {
  return (BigInt(l.pid) << BigInt(XTS_ATSD_LAUNCH_PID_SHIFT)) | (BigInt(l.ap) << BigInt(XTS_ATSD_LAUNCH_AP_SHIFT)) | (BigInt(l.is) << BigInt(XTS_ATSD_LAUNCH_IS_SHIFT));
}

/**
 * A register value must be a u64: a bigint from 0 to 2^64 - 1 (ULONG() and the ul_*
 * helpers make one). A JS number is refused rather than converted: the address or the
 * launch fields it stands for may already have been cut to 32 bits or rounded.
 */
function check_u64(fn: string, v: unsigned_long): void {
  if (typeof v === "bigint" && v >= 0n && v <= 0xffff_ffff_ffff_ffffn) return;
  throw new RangeError(
    typeof v === "number"
      ? `${fn}: value ${v} is a JavaScript number, not a u64: compute register values as unsigned_long (ULONG(x), ul_shl, ul_add, and | on bigints)`
      : `${fn}: value ${String(v)} is not a u64`,
  );
}

/**
 * The ATSD register block as the kernel maps it (`void __iomem *arva`). The lock
 * guarding it is what lockdep would check: every register access must hold it.
 */
export class AtsdMmio {
  constructor(
    readonly link: OcxlLink,
    /** The link's atsd_lock. */
    readonly guard: SpinLock,
  ) {}
}

/** out_be64(arva + reg, val): a 64-bit big-endian MMIO store to an ATSD register. */
export function out_be64(arva: AtsdMmio, reg: number, val: unsigned_long): void {
  check_u64("out_be64", val);
  arva.link.mmio_write(arva, reg, val);
}

/** in_be64(arva + reg): a 64-bit MMIO load from an ATSD register. */
export function in_be64(arva: AtsdMmio, reg: number): unsigned_long {
  return arva.link.mmio_read(arva, reg);
}

export class OcxlLink extends IommuModel {
  /** The AFU's translation cache, tagged by PID. */
  readonly atc: Tlb;
  readonly hasAtsd: boolean;
  /** SPA: process element handle -> process element (set by the driver at link setup). */
  private spa_mem: ReadonlyMap<number, ocxl_process_element> = new Map();
  private readonly ava: Cell;
  private readonly avaHi: Cell;
  private readonly launch: Cell;
  private readonly pending: Cell;
  /** A CPU has already read XTS_ATSD_STAT as pending for the shootdown in flight. */
  private readonly polled: Cell;
  /** Who (agent owner id) wrote XTS_ATSD_AVA and XTS_ATSD_LAUNCH last: a mixed shootdown shows in the trace. */
  private readonly avaOwner: Cell;
  private readonly launchOwner: Cell;
  /**
   * Hardware-rule counters for tests (plain numbers: meaningful on straight runs):
   * a register written while a shootdown was still in flight, per register.
   */
  readonly overruns = { ava: 0, launch: 0 };

  constructor(
    sim: Sim,
    phys: PhysMem,
    /** The radix process table: PID (mm->context.id) -> address space. */
    private readonly processTable: readonly mm_struct[],
    o: OcxlLinkOptions = {},
    name = "ocxl_link0",
  ) {
    // A miss (or a write through a read-only entry) makes the AFU translate again.
    super(sim, phys, name, { rewalkOnPermissionFault: true });
    this.hasAtsd = o.atsd ?? true;
    this.atc = new Tlb(sim, `${name}.afu.atc`, "secondary");
    this.ava = new Cell(sim.store, `${name}.XTS_ATSD_AVA`);
    this.avaHi = new Cell(sim.store, `${name}.XTS_ATSD_AVA.hi`);
    this.launch = new Cell(sim.store, `${name}.XTS_ATSD_LAUNCH`);
    this.pending = new Cell(sim.store, `${name}.XTS_ATSD_STAT`);
    this.polled = new Cell(sim.store, `${name}.stat_polled`);
    this.avaOwner = new Cell(sim.store, `${name}.ava_writer`);
    this.launchOwner = new Cell(sim.store, `${name}.launch_writer`);
  }

  /** pnv_ocxl_spa_setup(): tell the link where its SPA is. */
  set_spa(spa_mem: ReadonlyMap<number, ocxl_process_element>): void {
    this.spa_mem = spa_mem;
  }

  /** pnv_ocxl_map_lpar(): map the ATSD registers; accesses must hold `guard`. */
  map_atsd(guard: SpinLock): AtsdMmio | null {
    return this.hasAtsd ? new AtsdMmio(this, guard) : null;
  }

  caches(): readonly Tlb[] {
    return [this.atc];
  }

  context(pe_handle: number): { tag: number; mm: mm_struct } | null {
    const pe = this.spa_mem.get(pe_handle);
    if (!pe || !(pe.software_state & SPA_PE_VALID)) return null;
    const mm = this.mmOfTag(pe.pid);
    return mm ? { tag: pe.pid, mm } : null;
  }

  mmOfTag(pid: number): mm_struct | null {
    return this.processTable.find((mm) => mm.context_id === pid) ?? null;
  }

  /** The address XTS_ATSD_AVA holds. */
  private avaAddress(): number {
    return (this.avaHi.value * 2 ** Number(AVA_WORD_BITS) + this.ava.value) * PAGE_SIZE;
  }

  /** A launched shootdown has not been performed yet. */
  get busy(): boolean {
    return this.pending.value !== 0;
  }

  hasPendingWork(): boolean {
    return this.busy;
  }

  override nextWork(): string {
    return "perform the launched shootdown (ATSD)";
  }

  doPendingWork(): string {
    return this.perform();
  }

  /** lockdep_assert_held(&link->atsd_lock) on every register access. */
  private checkHeld(arva: AtsdMmio, what: string, reg: number): void {
    if (!arva.guard.held) arva.guard.assertHeld(`${this.name}: ${what} ${REG_NAME[reg] ?? `register ${hex(reg)}`}`);
  }

  mmio_write(arva: AtsdMmio, reg: number, val: unsigned_long): void {
    this.checkHeld(arva, "writing", reg);
    const me = this.sim.owner;
    if (reg === XTS_ATSD_AVA) {
      // The register holds the page number (the abbreviated VA, IBM bits 0-51), in two store slots.
      const vpn = val >> AVA_SHIFT;
      const addr = Number(vpn) * PAGE_SIZE;
      if (this.busy) {
        if (!this.sim.store.replaying) this.overruns.ava++;
        const was = this.avaAddress();
        this.sim.log(() =>
          addr === was
            ? `${this.name}: XTS_ATSD_AVA written while the shootdown of ${hex(was)} is still in flight`
            : `${this.name}: XTS_ATSD_AVA overwritten with ${hex(addr)} while the shootdown of ${hex(was)} is still in flight: that shootdown will hit ${hex(addr)} instead`,
        );
      }
      this.ava.value = Number(vpn & AVA_WORD_MASK);
      this.avaHi.value = Number(vpn >> AVA_WORD_BITS);
      this.avaOwner.value = me;
      this.sim.log(() => `${this.name}: XTS_ATSD_AVA <- ${hex(addr)}`);
    } else if (reg === XTS_ATSD_LAUNCH) {
      const l = decode_atsd_launch(val);
      // Counted by page size and scope: the cost a notebook plots against other drivers.
      this.charge(l.is === XTS_ATSD_IS_PID ? "ATSD (whole PID)" : (ATSD_KIND[l.ap] ?? "ATSD (reserved page size)"));
      if (this.busy) {
        if (!this.sim.store.replaying) this.overruns.launch++;
        this.sim.log(() => `${this.name}: XTS_ATSD_LAUNCH written while a shootdown is in flight: the engine has one set of registers, the earlier shootdown is replaced`);
      }
      this.launch.value = packLaunch(l);
      this.launchOwner.value = me;
      this.pending.value = 1;
      this.polled.value = 0;
      this.sim.log(() => `${this.name}: XTS_ATSD_LAUNCH <- PID ${l.pid} ${l.is === XTS_ATSD_IS_PID ? "whole PID" : `page ${AP_NAME[l.ap] ?? `AP ${l.ap}?`}`}`);
    } else {
      this.sim.log(() => `${this.name}: write to ${REG_NAME[reg] ?? `register ${hex(reg)}`} ignored`);
    }
  }

  mmio_read(arva: AtsdMmio, reg: number): unsigned_long {
    this.checkHeld(arva, "reading", reg);
    if (reg === XTS_ATSD_AVA) return ((BigInt(this.avaHi.value) << AVA_WORD_BITS) | BigInt(this.ava.value)) << AVA_SHIFT;
    if (reg === XTS_ATSD_LAUNCH) return encode_atsd_launch(unpackLaunch(this.launch.value));
    if (reg !== XTS_ATSD_STAT) return 0n;
    if (!this.busy) return 0n;
    const sim = this.sim;
    if (!sim.hardwareWaitBlocks()) {
      // The first model: still pending at this read, and done by the next one.
      const done = this.perform();
      sim.log(() => done);
      return XTS_ATSD_STAT_PENDING;
    }
    // The engine works at steps of its own. A first read may find it pending; a CPU
    // that reads again is spinning (cpu_relax between reads) until the engine finishes.
    if (this.polled.value !== 0) sim.waitUntil(() => !this.busy, `${this.name}: XTS_ATSD_STAT`);
    if (!this.busy) return 0n;
    this.polled.value = 1;
    return XTS_ATSD_STAT_PENDING;
  }

  /** Do the shootdown the registers describe now, and clear the pending bit. */
  private perform(): string {
    if (!this.busy) return `${this.name}: idle`;
    const l = unpackLaunch(this.launch.value);
    const addr = this.avaAddress();
    const mixed = this.avaOwner.value !== this.launchOwner.value;
    this.pending.value = 0;
    this.polled.value = 0;
    if (mixed) {
      this.sim.log(
        () => `${this.name}: mixed shootdown: ${this.sim.agentName(this.launchOwner.value - 1)} launched it, but XTS_ATSD_AVA was last written by ${this.sim.agentName(this.avaOwner.value - 1)}`,
      );
    }
    if (l.is === XTS_ATSD_IS_PID) {
      this.atc.invalidateTag(l.pid);
      return `${this.name}: ATSD done: every translation of PID ${l.pid}`;
    }
    const size = AP_SIZE[l.ap];
    if (size === undefined || l.is !== XTS_ATSD_IS_VA) {
      return `${this.name}: ATSD with a reserved page size or scope ignored (AP ${l.ap}, IS ${l.is})`;
    }
    // The AFU drops every translation of the PID that overlaps the page named.
    const base = Math.floor(addr / size) * size;
    this.atc.invalidateRange(l.pid, base, base + size);
    return `${this.name}: ATSD done: PID ${l.pid} ${hex(base)} (${AP_NAME[l.ap]})`;
  }
}
