/**
 * Before untrusted kata code is loaded: freeze the simulation's exports and classes,
 * and the built-ins the checks rely on, so that code cannot make a check pass by
 * rewriting the oracle or Array.prototype.some. Assigning to a frozen property in a
 * module (strict mode) throws, which fails the learner's load with a clear message.
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
