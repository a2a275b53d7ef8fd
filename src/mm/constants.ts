/** Page geometry of x86-64 / arm64 with 4 KiB pages. */
export const PAGE_SHIFT = 12;
export const PAGE_SIZE = 1 << PAGE_SHIFT;
export const PMD_SHIFT = 21;
export const PMD_SIZE = 2 ** PMD_SHIFT;
export const PUD_SHIFT = 30;
export const PUD_SIZE = 2 ** PUD_SHIFT;
/** Entries per page-table page. */
export const PTRS_PER_TABLE = 512;
/** Base pages in a PMD-sized and a PUD-sized mapping. */
export const HPAGE_PMD_NR = PMD_SIZE / PAGE_SIZE;
export const HPAGE_PUD_NR = PUD_SIZE / PAGE_SIZE;

/**
 * ULONG_MAX as a JS number. 2^64 - 1 is not representable, so this is 2^64; it is only
 * ever compared for equality (an arch flush of "the whole mm" passes (0, ULONG_MAX):
 * docs/KERNEL-FACTS.md#whole-mm-ranges) or used to size a range, where the difference
 * does not matter.
 */
export const ULONG_MAX = 2 ** 64;

/**
 * Simulated user addresses stay below 2^48 (arm64's 48-bit user space), so that a page
 * number (< 2^36) and a small index (tag, mm) make a key within 53 bits.
 */
export const TASK_SIZE = 2 ** 48;
/**
 * x86-64's TASK_SIZE_MAX with 4-level paging, 0x7fff_ffff_f000: the first address
 * outside user space (the top page below 2^47 is kept unmapped), so the last user page
 * starts at 0x7fff_ffff_e000 (task_size_max() in arch/x86/include/asm/page_64_types.h,
 * v6.6, no line established: docs/KERNEL-FACTS.md#task-size-max).
 */
export const TASK_SIZE_MAX = 2 ** 47 - PAGE_SIZE;

export const PAGE_ALIGN = (addr: number): number => Math.ceil(addr / PAGE_SIZE) * PAGE_SIZE;
export const vpn = (addr: number): number => Math.floor(addr / PAGE_SIZE);
export const hex = (n: number): string => (n >= ULONG_MAX ? "ULONG_MAX" : "0x" + n.toString(16));
