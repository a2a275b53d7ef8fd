/**
 * The operating system's sandbox for a worker that runs untrusted code (grading):
 * bubblewrap puts the worker in new user, PID, network, IPC, UTS and cgroup
 * namespaces, with a filesystem that holds only the Node binary, the system
 * libraries, the simulation package (bound by its real path, so no symlink leads out
 * of it) and a private tmpfs as its working folder. It runs as an unprivileged user
 * (when the grader is root, a user id of its own per worker), with kernel limits
 * (prlimit) on memory (RLIMIT_DATA counts ArrayBuffers and WebAssembly memory, not
 * only V8's heap), CPU time, processes, file size and open files.
 *
 * Where namespaces are refused (some containers), `isolation: "user"` keeps the
 * unprivileged user and the kernel limits without bubblewrap; `"none"` is for code
 * the instructor trusts.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

export type Isolation = "namespaces" | "user" | "none";

export interface SandboxLimits {
  /** V8 heap limit, MiB; the kernel's data limit is this plus room for Node itself. */
  readonly memoryMb: number;
  /** CPU seconds for the whole worker. */
  readonly cpuSeconds: number;
}

/** Where the package is seen inside the sandbox. */
export const SANDBOX_PACKAGE = "/tlbkata";
/** Largest file the worker may write (its tmpfs working folder), bytes. */
const FILE_SIZE = 1 << 20;
/** Size of the tmpfs working folder, bytes. */
const WORK_SIZE = 16 << 20;
/** Threads count as processes: Node has about a dozen. */
const NPROC = 64;
/** Node itself (code, libraries, buffers) beside the V8 heap, MiB. */
const NODE_DATA_MB = 256;

function onPath(cmd: string): string | null {
  for (const dir of (process.env.PATH ?? "/usr/bin:/bin").split(path.delimiter)) {
    const p = path.join(dir, cmd);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  return null;
}

const isRoot = (): boolean => typeof process.getuid === "function" && process.getuid() === 0;

let nextUid = 0;
/**
 * An unprivileged user id for one worker: its own, so that RLIMIT_NPROC counts that
 * worker's threads only, and no other process (the grader, a classmate's worker) is
 * its to signal or renice. Ids from 2000000000 up are far from any real account.
 */
function workerUid(): number {
  nextUid = (nextUid + 1) % 1_000_000;
  return 2_000_000_000 + ((process.pid % 1000) * 1_000_000 + nextUid) % 100_000_000;
}

/** System library folders the Node binary needs, as they are on this machine. */
function libraryBinds(): string[] {
  const out: string[] = [];
  for (const dir of ["/usr/lib", "/usr/lib64", "/lib", "/lib64", "/usr/local/lib"]) {
    let st: fs.Stats;
    try {
      st = fs.lstatSync(dir);
    } catch {
      continue;
    }
    if (st.isSymbolicLink()) out.push("--symlink", fs.readlinkSync(dir), dir);
    else if (st.isDirectory()) out.push("--ro-bind", dir, dir);
  }
  return out;
}

function prlimitArgs(l: SandboxLimits, nproc: boolean): string[] {
  const data = (l.memoryMb + NODE_DATA_MB) * 1024 * 1024;
  const args = [`--data=${data}`, `--cpu=${l.cpuSeconds}`, `--fsize=${FILE_SIZE}`, "--nofile=64", "--core=0"];
  if (nproc) args.push(`--nproc=${NPROC}`);
  return args;
}

export interface SandboxCommand {
  readonly file: string;
  readonly args: readonly string[];
  readonly uid?: number;
  readonly gid?: number;
  /** Where the worker script is, as the worker sees it. */
  readonly worker: string;
  /** Where the package's dist folder is, as the worker sees it. */
  readonly dist: string;
  /** bwrap's options, NUL-separated, to write to the `argsFd` the command names. */
  readonly fdArgs?: string;
}

/** The built package (src/dist), also when this module runs from sources under vitest. */
export const PACKAGE_DIST = path.basename(path.resolve(__dirname, "..")) === "dist" ? path.resolve(__dirname, "..") : path.resolve(__dirname, "..", "dist");

/** The copies made, by the real path of what was copied. */
const copies = new Map<string, string>();

/**
 * The built package where the worker's user can read it. Dropping root, that user is
 * nobody's: the course folder may sit where only root can go (/root/...), so the
 * package (2 MiB) is copied once per grader process to a folder of the temporary
 * directory that others may read, and removed when the grader exits.
 */
export function readableDist(dist: string): string {
  const real = fs.realpathSync(dist);
  if (!isRoot()) return real;
  const hit = copies.get(real);
  if (hit) return hit;
  removeStaleCopies();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `tlbkata-sandbox-${process.pid}-`));
  fs.chmodSync(dir, 0o755);
  fs.cpSync(real, path.join(dir, "dist"), { recursive: true });
  const pkgJson = path.join(path.dirname(real), "package.json");
  if (fs.existsSync(pkgJson)) fs.copyFileSync(pkgJson, path.join(dir, "package.json"));
  process.on("exit", () => fs.rmSync(dir, { recursive: true, force: true }));
  copies.set(real, path.join(dir, "dist"));
  return path.join(dir, "dist");
}

/** Copies left by grader processes that ended without their exit handler (a test runner's worker, a kill). */
function removeStaleCopies(): void {
  try {
    for (const name of fs.readdirSync(os.tmpdir())) {
      const pid = /^tlbkata-sandbox-(\d+)-/.exec(name)?.[1];
      if (!pid || Number(pid) === process.pid) continue;
      const dir = path.join(os.tmpdir(), name);
      if (fs.statSync(dir).uid !== process.getuid?.()) continue;
      try {
        process.kill(Number(pid), 0);
      } catch {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    }
  } catch {
    // Tidying up is not worth failing a grading.
  }
}

/** Where the worker sees the package's dist folder. */
export function workerDist(isolation: Exclude<Isolation, "none">, dist: string): string {
  return isolation === "namespaces" ? `${SANDBOX_PACKAGE}/dist` : readableDist(dist);
}

/**
 * The command that runs `node nodeFlags WORKER` in the sandbox. `dist` is the built
 * package (its parent holds package.json).
 */
export function sandboxCommand(isolation: Exclude<Isolation, "none">, dist: string, nodeFlags: readonly string[], l: SandboxLimits, argsFd?: number): SandboxCommand {
  const node = fs.realpathSync(process.execPath);
  const own = isRoot() ? workerUid() : undefined;
  const limits = prlimitArgs(l, own !== undefined);
  const prlimit = onPath("prlimit") ?? "prlimit";
  if (isolation === "user") {
    const readable = readableDist(dist);
    const worker = path.join(readable, "kata", "worker.js");
    return { file: prlimit, args: [...limits, "--", node, ...nodeFlags, worker], uid: own, gid: own, worker, dist: readable };
  }
  const realDist = readableDist(dist);
  const pkgJson = path.join(path.dirname(realDist), "package.json");
  const inside = `${SANDBOX_PACKAGE}/dist`;
  const bwrap = [
    "--unshare-all",
    "--die-with-parent",
    "--new-session",
    "--cap-drop", "ALL",
    "--hostname", "sandbox",
    ...libraryBinds(),
    "--ro-bind", node, node,
    "--ro-bind", realDist, inside,
    ...(fs.existsSync(pkgJson) ? ["--ro-bind", pkgJson, `${SANDBOX_PACKAGE}/package.json`] : []),
    "--proc", "/proc",
    "--dev", "/dev",
    // The working folder, the only writable place: a tmpfs of bounded size.
    "--size", String(WORK_SIZE),
    "--tmpfs", "/work",
    // The sandbox's root (a tmpfs bwrap made for the mount points) read-only too.
    "--remount-ro", "/",
    "--chdir", "/work",
    "--clearenv",
    "--setenv", "NODE_ENV", "production",
    "--setenv", "HOME", "/work",
  ];
  const worker = `${inside}/kata/worker.js`;
  const tail = [node, ...nodeFlags, worker];
  const bw = onPath("bwrap") ?? "bwrap";
  // Through a file descriptor, the options (the grader's paths among them) are not in the command line that /proc shows.
  if (argsFd !== undefined) return { file: prlimit, args: [...limits, "--", bw, "--args", String(argsFd), ...tail], uid: own, gid: own, worker, dist: inside, fdArgs: `${bwrap.join("\0")}\0` };
  return { file: prlimit, args: [...limits, "--", bw, ...bwrap, ...tail], uid: own, gid: own, worker, dist: inside };
}

let probed: Map<Isolation, string | null> = new Map();

/**
 * Null when `isolation` works on this machine, else why not (one line). Tried once per
 * process: a real worker-like command, so a refusal by the kernel shows here.
 */
export function isolationProblem(isolation: Isolation): string | null {
  if (isolation === "none") return null;
  if (probed.has(isolation)) return probed.get(isolation)!;
  let why: string | null = null;
  if (process.platform !== "linux") why = "the sandbox needs Linux";
  else if (!onPath("prlimit")) why = "prlimit (util-linux) is not installed";
  else if (isolation === "user" && !isRoot()) why = "--isolation user needs the grader to run as root, to drop to an unprivileged user";
  else if (isolation === "namespaces" && !onPath("bwrap")) why = "bubblewrap (bwrap) is not installed";
  if (!why) {
    const c = sandboxCommand(isolation as Exclude<Isolation, "none">, PACKAGE_DIST, ["-e", "process.stdout.write(String(process.getuid()))"], { memoryMb: 128, cpuSeconds: 10 });
    // Replace the worker script with the -e program above.
    const args = c.args.filter((a) => a !== c.worker);
    const r = spawnSync(c.file, args, { uid: c.uid, gid: c.gid, encoding: "utf8", timeout: 20_000, env: {} });
    if (r.status !== 0) why = `${isolation === "namespaces" ? "bwrap" : "prlimit"} could not start a sandboxed process (${(r.stderr || r.error?.message || `status ${r.status}`).trim().split("\n")[0]})`;
  }
  probed.set(isolation, why);
  return why;
}

/** For tests: forget what was probed. */
export function forgetProbes(): void {
  probed = new Map();
}
