// Wrong: try_to_migrate_one does not notify: the device keeps the old frame after the page moved.
import type { CallSites } from "tlbkata";
import { call_sites as ref } from "../../../solutions/04-call-sites/call_sites";

export const call_sites: CallSites = { ...ref, try_to_migrate_one() {} };
