/**
 * What a graded learner module sees of the simulation: every object and function of
 * the simulation reaches it through a membrane (proxies on shadow targets) that
 *  - hands out the simulation's own machinery (the Sim with the oracle's switches,
 *    the state Store, the World, the Oracle) as opaque handles: a driver passes them
 *    to kernel functions (srcu_read_lock(core.sim)) but cannot look inside;
 *  - refuses writes, new properties and deletions on instances of the simulation's
 *    classes and on its arrays, and the mutating methods of its Maps and Sets, except
 *    the fields a kata's driver is meant to set (WRITABLE); plain objects (a driver's
 *    context struct) stay writable;
 *  - keeps a StepAbort the learner's code caught and swallowed: it is thrown again
 *    when the learner's function returns, so a reported violation cannot be hidden.
 * The learner's own objects and functions reach the simulation through the reverse
 * membrane, so that whatever the simulation passes them is wrapped in turn. Object
 * identity is kept on both sides (one proxy per object).
 */
import { isIntrinsic } from "./freeze";

/**
 * Fields of simulation classes a driver sets itself, by class. A driver's own state
 * (its context struct, a plain object) is its to write; the simulation's classes are not.
 */
const WRITABLE = new Set(["mmu_notifier.mm", "mm_struct.notifier_subscriptions", "Cell.value"]);

export interface MembraneOptions {
  /** Classes whose instances are never handed to the learner's code. */
  readonly internal: readonly (abstract new (...a: never[]) => unknown)[];
  /** The exception the simulation throws to end a step with a violation. */
  readonly stepAbort: abstract new (...a: never[]) => unknown;
}

type Obj = object;

/** Read-only methods of the built-in collections and their iterators, called on the real object. */
function slotReaders(): Set<unknown> {
  const out = new Set<unknown>();
  const add = (proto: object, names: readonly (string | symbol)[]): void => {
    for (const n of names) {
      const d = Object.getOwnPropertyDescriptor(proto, n);
      if (d?.value) out.add(d.value);
      if (d?.get) out.add(d.get);
    }
  };
  add(Map.prototype, ["get", "has", "forEach", "keys", "values", "entries", Symbol.iterator, "size"]);
  add(Set.prototype, ["has", "forEach", "keys", "values", "entries", Symbol.iterator, "size"]);
  add(WeakMap.prototype, ["get", "has"]);
  add(WeakSet.prototype, ["has"]);
  add(Object.getPrototypeOf(new Map()[Symbol.iterator]()), ["next", Symbol.iterator]);
  add(Object.getPrototypeOf(new Set()[Symbol.iterator]()), ["next", Symbol.iterator]);
  add(Date.prototype, ["getTime", "valueOf", "toISOString"]);
  add(Object.getPrototypeOf(Object.getPrototypeOf([][Symbol.iterator]())), [Symbol.iterator]);
  // A generator of the simulation's (a list walk) runs the simulation's own code.
  add(Object.getPrototypeOf(function* () {}).prototype, ["next", "return", "throw", Symbol.iterator]);
  return out;
}

/** Objects whose methods need the real object (internal slots), not a proxy. */
const hasSlots = (o: unknown): boolean => Object.prototype.toString.call(o) === "[object Generator]" || o instanceof Map || o instanceof Set || o instanceof WeakMap || o instanceof WeakSet || o instanceof Date || ArrayBuffer.isView(o) || o instanceof ArrayBuffer;

export interface Membrane {
  /** The simulation's value, as the learner's code sees it. */
  toLearner(v: unknown): unknown;
  /** The learner's value, as the simulation sees it. */
  toSimulation(v: unknown): unknown;
}

export function makeMembrane(o: MembraneOptions): Membrane {
  const readers = slotReaders();
  /** simulation object -> its proxy for the learner; and back. */
  const outward = new WeakMap<Obj, Obj>();
  const outwardReal = new WeakMap<Obj, Obj>();
  /** learner object -> its proxy for the simulation; and back. */
  const inward = new WeakMap<Obj, Obj>();
  const inwardReal = new WeakMap<Obj, Obj>();
  /** A StepAbort that crossed into the learner's code and has not come back out. */
  let swallowed: unknown = null;

  const className = (t: Obj): string => {
    try {
      const own = Object.getOwnPropertyDescriptor(t, "constructor");
      if (own && typeof own.value === "function" && own.value.name) return `${own.value.name}.prototype`;
      const c = (Object.getPrototypeOf(t) as { constructor?: { name?: unknown } } | null)?.constructor;
      return typeof c?.name === "string" && c.name ? c.name : "Object";
    } catch {
      return "Object";
    }
  };
  const isInternal = (v: unknown): boolean => o.internal.some((C) => v instanceof C);
  const refuseWrite = (t: Obj, key: PropertyKey): never => {
    throw new TypeError(`a graded driver may not change ${className(t)}.${String(key)}: it belongs to the simulation, not to the driver`);
  };
  const mayWrite = (t: Obj, key: PropertyKey): boolean => {
    const proto = Object.getPrototypeOf(t);
    // A plain object (not a prototype: those hold a constructor) is a driver's own struct.
    if (!Array.isArray(t) && typeof t === "object" && (proto === Object.prototype || proto === null) && !Object.prototype.hasOwnProperty.call(t, "constructor")) return true;
    return typeof key === "string" && WRITABLE.has(`${className(t)}.${key}`);
  };
  /** An opaque handle on one of the simulation's own objects: it can be passed back, not opened. */
  const handles = new WeakMap<Obj, Obj>();
  function handleOf(real: Obj): Obj {
    const hit = handles.get(real);
    if (hit) return hit;
    const name = className(real);
    const closed = (): never => {
      throw new TypeError(`${name} is the simulation's own machinery: a driver passes it to kernel functions, it does not look inside`);
    };
    const h = new Proxy(Object.create(null) as Obj, {
      get: (_s, key) => (key === Symbol.toPrimitive || key === "toString" || key === "valueOf" || key === "toJSON" || key === "then" ? undefined : closed()),
      set: closed,
      defineProperty: closed,
      deleteProperty: closed,
      has: closed,
      ownKeys: () => [],
      getOwnPropertyDescriptor: () => undefined,
      getPrototypeOf: () => null,
      setPrototypeOf: closed,
      preventExtensions: () => false,
      isExtensible: () => true,
    });
    handles.set(real, h);
    outwardReal.set(h, real);
    return h;
  }

  /** Own keys of `real`, with the shadow's fixed ones (a proxy invariant). */
  function keysOf(real: Obj, shadow: Obj): (string | symbol)[] {
    const keys = new Set<string | symbol>(Reflect.ownKeys(real));
    for (const k of Reflect.ownKeys(shadow)) if (!Object.getOwnPropertyDescriptor(shadow, k)!.configurable) keys.add(k);
    return [...keys];
  }

  /** A descriptor of `real` seen through `map`, reported configurable unless the shadow fixes it. */
  function descriptorOf(real: Obj, shadow: Obj, key: PropertyKey, map: (v: unknown) => unknown): PropertyDescriptor | undefined {
    const own = Object.getOwnPropertyDescriptor(shadow, key);
    const d = Object.getOwnPropertyDescriptor(real, key);
    if (own && !own.configurable) return d && "value" in d ? { ...own, value: map(d.value) } : own;
    if (!d) return undefined;
    const out: PropertyDescriptor = { enumerable: d.enumerable, configurable: true };
    if ("value" in d) {
      out.value = map(d.value);
      out.writable = d.writable;
    } else {
      out.get = map(d.get) as (() => unknown) | undefined;
      out.set = map(d.set) as ((v: unknown) => void) | undefined;
    }
    return out;
  }

  function shadowOf(t: Obj): Obj {
    if (Array.isArray(t)) return [];
    if (typeof t === "function") {
      return function () {
        /* shadow */
      };
    }
    return {};
  }

  function toLearner(v: unknown): unknown {
    if ((typeof v !== "object" && typeof v !== "function") || v === null) return v;
    // Most calls: an object already wrapped.
    const hit = outward.get(v);
    if (hit) return hit;
    const back = inwardReal.get(v);
    if (back) return back;
    if (isIntrinsic(v)) return v;
    if (isInternal(v)) return handleOf(v);
    const real = v;
    const slots = hasSlots(real);
    const shadow = shadowOf(real);
    const p = new Proxy(shadow, {
      get(_s, key) {
        const value = Reflect.get(real, key, real);
        if (typeof value === "function" && slots && isIntrinsic(value)) return slotMethod(real, value as (...a: unknown[]) => unknown);
        return toLearner(value);
      },
      set(_s, key, value) {
        if (!mayWrite(real, key)) refuseWrite(real, key);
        if (!Reflect.set(real, key, toSimulation(value), real)) throw new TypeError(`Cannot assign to read only property '${String(key)}' of ${className(real)}`);
        return true;
      },
      defineProperty(_s, key, d) {
        if (!mayWrite(real, key)) refuseWrite(real, key);
        const dd: PropertyDescriptor = { ...d };
        if ("value" in dd) dd.value = toSimulation(dd.value);
        return Reflect.defineProperty(real, key, dd);
      },
      deleteProperty(_s, key) {
        return refuseWrite(real, key);
      },
      has(_s, key) {
        return Reflect.has(real, key);
      },
      ownKeys(s) {
        return keysOf(real, s);
      },
      getOwnPropertyDescriptor(s, key) {
        return descriptorOf(real, s, key, toLearner);
      },
      getPrototypeOf() {
        return toLearner(Object.getPrototypeOf(real)) as object | null;
      },
      setPrototypeOf() {
        return refuseWrite(real, "__proto__");
      },
      preventExtensions() {
        return refuseWrite(real, "(extensibility)");
      },
      isExtensible(s) {
        return Reflect.isExtensible(s);
      },
      apply(_s, self, args) {
        return callSimulation(real as (...a: unknown[]) => unknown, self, args);
      },
      construct(_s, args) {
        try {
          return toLearner(Reflect.construct(real as new (...a: unknown[]) => object, args.map(toSimulation))) as object;
        } catch (e) {
          throw crossing(e);
        }
      },
    });
    outward.set(real, p);
    outwardReal.set(p, real);
    return p;
  }

  /** An exception thrown by the simulation into the learner's code. */
  function crossing(e: unknown): unknown {
    if (e instanceof o.stepAbort) swallowed = e;
    return toLearner(e);
  }

  /** A built-in method of a Map, Set or generator of the simulation's: it needs the real object, and may only read. */
  const slotMethods = new WeakMap<Obj, Map<unknown, unknown>>();
  function slotMethod(real: Obj, fn: (...a: unknown[]) => unknown): unknown {
    let byFn = slotMethods.get(real);
    if (!byFn) slotMethods.set(real, (byFn = new Map()));
    let m = byFn.get(fn);
    if (!m) {
      const reads = readers.has(fn);
      const call = {
        method(...args: unknown[]): unknown {
          if (!reads) refuseWrite(real, fn.name || "(method)");
          return toLearner(Reflect.apply(fn, real, args.map(toSimulation)));
        },
      };
      byFn.set(fn, (m = call.method));
    }
    return m;
  }

  /** The learner calls a simulation function (or a built-in reached through one). */
  function callSimulation(fn: (...a: unknown[]) => unknown, self: unknown, args: unknown[]): unknown {
    const realSelf = (typeof self === "object" || typeof self === "function") && self !== null ? outwardReal.get(self) : undefined;
    if (isIntrinsic(fn)) {
      if (realSelf !== undefined && hasSlots(realSelf)) {
        if (!readers.has(fn)) refuseWrite(realSelf, fn.name || "(method)");
        return toLearner(Reflect.apply(fn, realSelf, args.map(toSimulation)));
      }
      // Generic built-ins (Array methods...) work through the proxy: reads wrapped, writes refused.
      return Reflect.apply(fn, self, args);
    }
    try {
      return toLearner(Reflect.apply(fn, toSimulation(self), args.map(toSimulation)));
    } catch (e) {
      throw crossing(e);
    }
  }

  function toSimulation(v: unknown): unknown {
    if ((typeof v !== "object" && typeof v !== "function") || v === null) return v;
    const real = outwardReal.get(v);
    if (real) return real;
    const hit = inward.get(v);
    if (hit) return hit;
    if (isIntrinsic(v)) return v;
    const mine = v;
    // A shadow target here too: a frozen learner object could otherwise hand out its own functions unwrapped.
    const p = new Proxy(shadowOf(mine), {
      get(_s, key) {
        return toSimulation(Reflect.get(mine, key, mine));
      },
      set(_s, key, value) {
        return Reflect.set(mine, key, toLearner(value), mine);
      },
      defineProperty(_s, key, d) {
        const dd: PropertyDescriptor = { ...d };
        if ("value" in dd) dd.value = toLearner(dd.value);
        return Reflect.defineProperty(mine, key, dd);
      },
      deleteProperty(_s, key) {
        return Reflect.deleteProperty(mine, key);
      },
      has(_s, key) {
        return Reflect.has(mine, key);
      },
      ownKeys(s) {
        return keysOf(mine, s);
      },
      getOwnPropertyDescriptor(s, key) {
        return descriptorOf(mine, s, key, toSimulation);
      },
      getPrototypeOf() {
        return toSimulation(Object.getPrototypeOf(mine)) as object | null;
      },
      setPrototypeOf(_s, proto) {
        return Reflect.setPrototypeOf(mine, toLearner(proto) as object | null);
      },
      preventExtensions() {
        return false;
      },
      isExtensible(s) {
        return Reflect.isExtensible(s);
      },
      apply(_s, self, args) {
        return callLearner(mine as (...a: unknown[]) => unknown, self, args);
      },
      construct(_s, args) {
        return toSimulation(Reflect.construct(mine as new (...a: unknown[]) => object, args.map(toLearner))) as object;
      },
    });
    inward.set(mine, p);
    inwardReal.set(p, mine);
    return p;
  }

  /** The simulation calls the learner's function. */
  function callLearner(fn: (...a: unknown[]) => unknown, self: unknown, args: unknown[]): unknown {
    const outer = swallowed;
    swallowed = null;
    let result: unknown;
    try {
      result = toSimulation(Reflect.apply(fn, toLearner(self), args.map(toLearner)));
    } catch (e) {
      swallowed = outer;
      throw e instanceof o.stepAbort ? e : toSimulation(e);
    }
    const abort = swallowed;
    swallowed = outer;
    // The learner caught a violation the simulation threw, and carried on: it still counts.
    if (abort) throw abort;
    return result;
  }

  return { toLearner, toSimulation };
}
