/**
 * Before untrusted kata code is loaded: freeze the simulation's exports and classes,
 * and the built-ins the checks rely on, so that code cannot make a check pass by
 * rewriting the oracle or Array.prototype.some. Assigning to a frozen property in a
 * module (strict mode) throws, which fails the learner's load with a clear message.
 *
 * Graded code gets more (`confineGlobals`, `lockdown`): the Node APIs leave the global
 * object (no process, require, fs, network, timers: the learner's module reaches only
 * the simulation and the language), and every intrinsic reachable from what is left
 * (prototypes, iterators, generators, Function, Error...) is frozen, so no getter,
 * toJSON or patched generator can change how the hidden tests or the report behave.
 */
function freezeClassLike(v: unknown): void {
  if (typeof v === "function") {
    Object.freeze(v);
    if (v.prototype && typeof v.prototype === "object") Object.freeze(v.prototype);
  } else if (v && typeof v === "object") {
    Object.freeze(v);
  }
}

let frozen = false;

export function freezeSimulation(): void {
  if (frozen) return;
  frozen = true;
  // The package's own modules: everything index re-exports.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const pkg = require("../index") as Record<string, unknown>;
  for (const k of Object.keys(pkg)) freezeClassLike(pkg[k]);
  Object.freeze(pkg);
  for (const id of Object.keys(require.cache)) {
    const m = require.cache[id];
    if (m && !id.includes("node_modules") && id.includes(`${require("path").sep}dist${require("path").sep}`)) {
      const ex = m.exports as Record<string, unknown>;
      for (const k of Object.keys(ex)) freezeClassLike(ex[k]);
      Object.freeze(ex);
    }
  }
  // Built-ins whose methods the checks call.
  for (const o of [Array.prototype, Map.prototype, Set.prototype, WeakMap.prototype, Object, Array, JSON, Math, Reflect, Number, Promise.prototype, Function.prototype]) {
    Object.freeze(o);
  }
}

/** Globals graded code keeps: the language's own, and nothing that reaches the OS. */
const KEEP = new Set([
  "globalThis", "Object", "Function", "Array", "Number", "parseFloat", "parseInt", "Infinity", "NaN", "undefined",
  "Boolean", "String", "Symbol", "Date", "Promise", "RegExp", "Error", "AggregateError", "EvalError", "RangeError",
  "ReferenceError", "SyntaxError", "TypeError", "URIError", "JSON", "Math", "Intl", "ArrayBuffer", "Atomics",
  "Uint8Array", "Int8Array", "Uint16Array", "Int16Array", "Uint32Array", "Int32Array", "Float32Array", "Float64Array",
  "Uint8ClampedArray", "BigUint64Array", "BigInt64Array", "DataView", "Map", "BigInt", "Set", "WeakMap", "WeakSet",
  "Proxy", "Reflect", "FinalizationRegistry", "WeakRef", "decodeURI", "decodeURIComponent", "encodeURI",
  "encodeURIComponent", "escape", "unescape", "eval", "isFinite", "isNaN", "SharedArrayBuffer", "console",
]);

/** A console that prints (to the worker's stderr, captured and capped by the parent) and holds no Node object. */
function plainConsole(write: (s: string) => void): Record<string, (...a: unknown[]) => void> {
  const show = (v: unknown): string => {
    if (typeof v === "string") return v;
    try {
      return typeof v === "object" && v !== null ? JSON.stringify(v) ?? String(v) : String(v);
    } catch {
      return Object.prototype.toString.call(v);
    }
  };
  const print = (...a: unknown[]): void => write(`${a.map(show).join(" ")}\n`);
  return Object.freeze({ log: print, info: print, warn: print, error: print, debug: print, trace: print, dir: print, table: print });
}

/**
 * Remove from the global object everything but the language's built-ins (and a
 * console that only prints). Whoever calls this keeps its own references to what it
 * needs (process, fs, timers) before.
 */
export function confineGlobals(write: (s: string) => void): void {
  const g = globalThis as Record<string, unknown>;
  for (const name of Reflect.ownKeys(g)) {
    if (typeof name === "string" && KEEP.has(name)) continue;
    try {
      delete g[name as string];
    } catch {
      // A non-configurable global: lockdown freezes it.
    }
  }
  Object.defineProperty(g, "console", { value: plainConsole(write), writable: false, configurable: false, enumerable: false });
}

/**
 * Properties code commonly assigns on its own objects (`this.name = ...` in an Error
 * subclass, `obj.toString = ...`): on a frozen prototype a data property would make
 * that assignment throw, so these become accessors that define the property on the
 * object assigned to, as SES's lockdown does.
 */
const OVERRIDABLE = ["constructor", "name", "message", "toString", "valueOf", "toLocaleString", "toJSON", "then", "stack"];

function allowOverride(obj: object): void {
  for (const key of OVERRIDABLE) {
    const d = Object.getOwnPropertyDescriptor(obj, key);
    if (!d || !("value" in d) || !d.configurable) continue;
    const value = d.value as unknown;
    // Methods, not `function`s: they have no prototype of their own for the walk to find.
    const accessors = {
      get(): unknown {
        return value;
      },
      set(this: unknown, v: unknown): void {
        if (this === obj) throw new TypeError(`Cannot assign to read only property '${key}' of a built-in prototype`);
        Object.defineProperty(this, key, { value: v, writable: true, enumerable: true, configurable: true });
      },
    };
    Object.defineProperty(obj, key, { get: accessors.get, set: accessors.set, enumerable: d.enumerable, configurable: false });
  }
}

/** Intrinsics that no global name reaches directly. */
function hiddenIntrinsics(): unknown[] {
  const gen = function* () {};
  const agen = async function* () {};
  const afn = async function () {};
  return [
    Object.getPrototypeOf(gen),
    Object.getPrototypeOf(agen),
    Object.getPrototypeOf(afn),
    Object.getPrototypeOf(gen()),
    Object.getPrototypeOf(agen()),
    Object.getPrototypeOf([][Symbol.iterator]()),
    Object.getPrototypeOf(new Map()[Symbol.iterator]()),
    Object.getPrototypeOf(new Set()[Symbol.iterator]()),
    Object.getPrototypeOf(""[Symbol.iterator]()),
    Object.getPrototypeOf("a".matchAll(/a/g)),
    Object.getPrototypeOf(Uint8Array),
    (function () {
      "use strict";
      return Object.getOwnPropertyDescriptor(Function.prototype, "caller")?.get;
    })(),
  ];
}

/** Objects lockdown froze: the language's own, shared by learner and simulation alike. */
const intrinsics = new WeakSet<object>();

export function isIntrinsic(v: object): boolean {
  return intrinsics.has(v);
}

/**
 * Freeze every object reachable from the global object and the hidden intrinsics:
 * own properties (values, getters and setters) and prototypes, transitively. Source
 * text of functions is not given out (`Function.prototype.toString`), so no hidden
 * test's code can be read from a function the learner's code reaches.
 */
export function lockdown(): void {
  const fnToString = Function.prototype.toString;
  const hidden = "function () { [code not shown while grading] }";
  const replacement = {
    toString(this: unknown): string {
      if (typeof this !== "function") return fnToString.call(this);
      return hidden;
    },
  };
  Object.defineProperty(Function.prototype, "toString", {
    value: replacement.toString,
    writable: false,
    enumerable: false,
    configurable: true,
  });
  const seen = new Set<unknown>();
  const todo: unknown[] = [globalThis, ...hiddenIntrinsics()];
  while (todo.length) {
    const o = todo.pop();
    if ((typeof o !== "object" && typeof o !== "function") || o === null || seen.has(o)) continue;
    seen.add(o);
    const ctor = Object.getOwnPropertyDescriptor(o, "constructor");
    if (ctor && "value" in ctor && typeof ctor.value === "function") allowOverride(o);
    for (const key of Reflect.ownKeys(o)) {
      const d = Object.getOwnPropertyDescriptor(o, key);
      if (!d) continue;
      if ("value" in d) todo.push(d.value);
      else todo.push(d.get, d.set);
    }
    todo.push(Object.getPrototypeOf(o));
    Object.freeze(o);
    intrinsics.add(o);
  }
}
