/**
 * What a scenario needs from a driver: the hardware it drives and a way to bind a
 * device to a process address space (which registers the driver's mmu_notifier).
 */
import type { Kernel } from "../kernel/kernel";
import type { mm_struct } from "../mm/mm";
import type { IommuModel } from "../hw/iommu";

export interface BoundContext {
  /** 0, or a negative errno from the bind (such as -EINVAL from __mmu_notifier_register). */
  readonly ret: number;
  /** The PASID a device must use for this binding. */
  readonly tag: number;
}

export interface DriverSpec {
  readonly name: string;
  readonly description: string;
  /** Create (and register with the kernel) the IOMMU or accelerator this driver drives. */
  createIommu(k: Kernel): IommuModel;
  /** Bind `mm` for DMA with `pasid`: set up the hardware context and register the notifier. */
  bind(k: Kernel, iommu: IommuModel, mm: mm_struct, pasid: number): BoundContext;
}
