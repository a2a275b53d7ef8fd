/**
 * What the oracle reports. Every rule has a stable id (used by tests, the grader and
 * `--json`) and a kind that says what sort of harm it is.
 */

export type ViolationKind =
  | "coherence" // a secondary TLB kept a translation it must have dropped
  | "corruption" // a device touched a freed or reused page
  | "ordering" // a device observed writes out of order (Documentation/mm/mmu_notifier.rst)
  | "liveness" // a device faults forever, or an invalidation flood in atomic context
  | "locking" // lockdep-style rule broken
  | "registration"; // mmu_notifier registration rules

export type RuleId =
  | "stale-tlb-at-free"
  | "stale-tlb-after-ptl-release"
  | "stale-write-permission"
  | "stale-tlb-at-copy"
  | "use-after-free"
  | "device-walks-freed-page-table"
  | "corruption"
  | "ordering"
  | "lost-write"
  | "device-livelock"
  | "invalidation-flood"
  | "sleep-in-atomic"
  | "lock-held-on-return"
  | "unlock-not-held"
  | "lock-recursion"
  | "lock-order-inversion"
  | "register-not-held"
  | "rcu-not-held"
  | "srcu-wrong-index"
  | "use-after-free-notifier"
  | "invalid-ops"
  | "deadlock"
  | "driver-crash"
  | "nondeterministic-step";

export interface Violation {
  readonly rule: RuleId;
  readonly kind: ViolationKind;
  /** One or two sentences in kernel words: what broke, where, which rule. */
  readonly message: string;
  /** Virtual address involved, if any. */
  readonly address?: number;
  /** Page frame involved, if any. */
  readonly pfn?: number;
}

export const RULE_KIND: Readonly<Record<RuleId, ViolationKind>> = {
  "stale-tlb-at-free": "coherence",
  "stale-tlb-after-ptl-release": "coherence",
  "stale-write-permission": "coherence",
  "stale-tlb-at-copy": "coherence",
  "use-after-free": "corruption",
  "device-walks-freed-page-table": "corruption",
  corruption: "corruption",
  ordering: "ordering",
  "lost-write": "corruption",
  "device-livelock": "liveness",
  "invalidation-flood": "liveness",
  "sleep-in-atomic": "locking",
  "lock-held-on-return": "locking",
  "unlock-not-held": "locking",
  "lock-recursion": "locking",
  "lock-order-inversion": "locking",
  "register-not-held": "locking",
  "rcu-not-held": "locking",
  "srcu-wrong-index": "locking",
  "use-after-free-notifier": "corruption",
  "invalid-ops": "registration",
  deadlock: "liveness",
  "driver-crash": "locking",
  "nondeterministic-step": "locking",
};

export function violation(rule: RuleId, message: string, extra: { address?: number; pfn?: number } = {}): Violation {
  return { rule, kind: RULE_KIND[rule], message, ...extra };
}
