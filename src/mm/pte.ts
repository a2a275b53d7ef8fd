/**
 * Page-table entries, one encoding for all three levels (PTE, PMD, PUD), packed in a
 * 32-bit store slot. Helpers keep the kernel's names so code reads like mm/.
 *
 *   bit 0 present   bit 1 write   bit 2 dirty   bit 3 young   bit 4 huge (leaf above PTE)
 *   bit 5 table (PMD/PUD points to a lower table)   bit 6 swap   bit 7 migration
 *   bits 8.. pfn (or swap slot / migration target pfn)
 */
export type pte_t = number;

const PRESENT = 1 << 0;
const WRITE = 1 << 1;
const DIRTY = 1 << 2;
const YOUNG = 1 << 3;
const HUGE = 1 << 4;
const TABLE = 1 << 5;
const SWAP = 1 << 6;
const MIGRATION = 1 << 7;
const PFN_SHIFT = 8;
/** Where the pfn starts in an entry: consecutive frames' entries differ by 1 << this. */
export const PTE_PFN_SHIFT = PFN_SHIFT;
/** Largest pfn the encoding holds (2^23 frames = 32 GiB). */
export const MAX_PFN = (1 << 23) - 1;

export const pte_none = (p: pte_t): boolean => p === 0;
export const pte_present = (p: pte_t): boolean => (p & PRESENT) !== 0;
export const pte_write = (p: pte_t): boolean => (p & (PRESENT | WRITE)) === (PRESENT | WRITE);
export const pte_dirty = (p: pte_t): boolean => (p & DIRTY) !== 0;
export const pte_young = (p: pte_t): boolean => (p & YOUNG) !== 0;
export const pte_huge = (p: pte_t): boolean => (p & HUGE) !== 0;
export const pmd_table = (p: pte_t): boolean => (p & TABLE) !== 0;
export const is_swap_pte = (p: pte_t): boolean => (p & SWAP) !== 0;
export const is_migration_entry = (p: pte_t): boolean => (p & MIGRATION) !== 0;
export const pte_pfn = (p: pte_t): number => p >>> PFN_SHIFT;

export function pfn_pte(pfn: number, prot: { write: boolean; huge?: boolean }): pte_t {
  if (pfn < 0 || pfn > MAX_PFN) throw new RangeError(`pfn ${pfn} out of range`);
  return (pfn << PFN_SHIFT) | PRESENT | YOUNG | (prot.write ? WRITE : 0) | (prot.huge ? HUGE : 0);
}
export const pte_wrprotect = (p: pte_t): pte_t => p & ~WRITE;
export const pte_mkwrite = (p: pte_t): pte_t => p | WRITE;
export const pte_mkdirty = (p: pte_t): pte_t => p | DIRTY;
export const pte_mkclean = (p: pte_t): pte_t => p & ~DIRTY;
export const pte_mkyoung = (p: pte_t): pte_t => p | YOUNG;
export const pte_mkold = (p: pte_t): pte_t => p & ~YOUNG;
/** A non-present entry saying the page's contents are in swap slot `slot`. */
export const swp_entry_to_pte = (slot: number): pte_t => (slot << PFN_SHIFT) | SWAP;
export const swp_slot = (p: pte_t): number => p >>> PFN_SHIFT;
/** A non-present entry that makes faults wait for migration of `pfn` to finish. */
export const make_migration_entry = (pfn: number, write: boolean): pte_t =>
  (pfn << PFN_SHIFT) | MIGRATION | (write ? WRITE : 0);
/**
 * A PMD or PUD entry pointing to a lower-level table, in page-table page `pfn` (0: a
 * table with no frame of its own, as in the model without freed page tables).
 */
export const mk_table_entry = (pfn = 0): pte_t => (pfn << PFN_SHIFT) | TABLE | PRESENT;

export function pte_describe(p: pte_t): string {
  if (p === 0) return "none";
  if (is_swap_pte(p)) return `swap:${swp_slot(p)}`;
  if (is_migration_entry(p)) return `migration:pfn ${pte_pfn(p)}`;
  if (pmd_table(p)) return pte_pfn(p) ? `table pfn ${pte_pfn(p)}` : "table";
  return `pfn ${pte_pfn(p)} ${p & WRITE ? "rw" : "ro"}${p & DIRTY ? " dirty" : ""}${p & HUGE ? " huge" : ""}`;
}
