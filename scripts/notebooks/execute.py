#!/usr/bin/env python3
"""Execute course notebooks headlessly, each in a fresh tslab kernel.

Runs on the course's Jupyter Python (JupyterLab's nbclient and jupyter_client, in .course/venv
when setup installed it). Normally started through
scripts/notebooks/run.mjs, which sets JUPYTER_PATH to the project-local kernelspec.

    execute.py [--timeout S] [--write | --out DIR] [NOTEBOOK ...]

With no NOTEBOOK, runs every notebooks/*.ipynb. Prints one JSON line per notebook:

    {"notebook": "notebooks/00-welcome.ipynb", "ok": true, "seconds": 3.1, "cells": 6, ...}
    {"notebook": "...", "ok": false, "cell_index": 2, "cell_id": "...", "error": "Error: ..."}

cell_index counts every cell (markdown included) from 0. Exits 1 if any notebook fails.
--write saves executed outputs back into the notebook (only when it passed);
--out DIR writes executed copies to DIR (also when it failed, to inspect them).
"""
import argparse
import json
import os
import re
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

try:
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
except ImportError as e:  # pragma: no cover - depends on the machine
    print(
        "execute.py: error: %s; install Jupyter: node scripts/setup.mjs --jupyter" % e,
        file=sys.stderr,
    )
    sys.exit(2)


def first_line(text):
    for line in str(text).splitlines():
        if line.strip():
            return line.strip()
    return ""


JS_ERROR = re.compile(r"^\s*(?:Uncaught )?([A-Za-z_$][\w$]*(?:Error|Exception)|Error)(?: \[[^\]]*\])?: ")
TS_DIAGNOSTIC = re.compile(r"^\d+:\d+ - ")


def error_line(cell):
    """First line of the error a failed cell reported.

    Kernels such as IPython send an `error` output (ename, evalue). tslab instead writes
    the JavaScript stack, or TypeScript's diagnostics, to the cell's stderr stream.
    """
    stderr = []
    for out in cell.get("outputs", []):
        if out.get("output_type") == "error":
            line = first_line("%s: %s" % (out.get("ename", "Error"), out.get("evalue", "")))
            if line:
                return line
        if out.get("output_type") == "stream" and out.get("name") == "stderr":
            stderr.extend(str(out.get("text", "")).splitlines())
    for line in stderr:
        if JS_ERROR.match(line):
            return line.strip()
    for line in stderr:
        if TS_DIAGNOSTIC.match(line):
            return "TypeScript " + line.strip()
    return first_line("\n".join(stderr))


# A kernel that has not answered by then is not coming: under load tslab starts in 5-15 s.
STARTUP_TIMEOUT = 75
# A kernel can fail to start for reasons of the moment (a port the client picked is taken
# by another process before the kernel binds it); nothing has run yet, so start another.
START_ATTEMPTS = 2


def execute(path, timeout, kernel_name, write, out_dir):
    nb = nbformat.read(path, as_version=4)
    state = {"index": None, "cell_seconds": [], "start": None, "kernel_ready": None}

    def on_cell_start(cell, cell_index, **_):
        state["index"] = cell_index
        state["start"] = time.monotonic()

    def on_cell_executed(cell, cell_index, **_):
        if cell.get("cell_type") == "code" and state["start"] is not None:
            state["cell_seconds"].append((cell_index, time.monotonic() - state["start"]))

    def on_notebook_start(**_):
        # Called once the kernel answered: times the kernel start apart from the cells.
        state["kernel_ready"] = time.monotonic()

    rel = os.path.relpath(os.path.abspath(path), ROOT)
    if rel.startswith(".."):
        rel = os.path.abspath(path)
    t0 = time.monotonic()
    failed_starts = []
    for attempt in range(START_ATTEMPTS):
        client = NotebookClient(
            nb,
            kernel_name=kernel_name,
            timeout=timeout,
            startup_timeout=STARTUP_TIMEOUT,
            record_timing=False,  # keeps committed notebooks free of timestamps
            resources={"metadata": {"path": os.path.dirname(os.path.abspath(path))}},
            on_cell_start=on_cell_start,
            on_cell_executed=on_cell_executed,
            on_notebook_start=on_notebook_start,
        )
        result = {"notebook": rel, "ok": True}
        try:
            client.execute()
        except CellTimeoutError as e:
            result.update(ok=False, error="timeout: a cell ran longer than %s s (%s)" % (timeout, first_line(e)))
        except DeadKernelError as e:
            result.update(ok=False, error="the kernel died: %s" % first_line(e))
        except CellExecutionError as e:
            result.update(ok=False, error=first_line("%s: %s" % (e.ename, e.evalue)))
        except Exception as e:  # kernel could not start, bad notebook JSON, ...
            result.update(ok=False, error="%s: %s" % (type(e).__name__, first_line(e)))
        started = state["kernel_ready"] is not None or state["index"] is not None
        if result["ok"] or started:
            break
        failed_starts.append(result["error"])
    if failed_starts:
        # Say so: a kernel that needed a second start is worth knowing about.
        result["failed_kernel_starts"] = failed_starts
    seconds = time.monotonic() - t0
    result["seconds"] = round(seconds, 2)
    if state["kernel_ready"] is not None:
        result["kernel_start_seconds"] = round(state["kernel_ready"] - t0, 2)
    result["cells"] = len(nb.cells)
    if state["cell_seconds"]:
        idx, secs = max(state["cell_seconds"], key=lambda p: p[1])
        result["slowest_cell"] = {"cell_index": idx, "seconds": round(secs, 2)}
    if not result["ok"] and state["index"] is not None:
        idx = state["index"]
        cell = nb.cells[idx]
        result["cell_index"] = idx
        result["cell_id"] = cell.get("id")
        if not result["error"].startswith(("timeout", "the kernel died")):
            result["error"] = error_line(cell) or result["error"]
        src = cell.get("source", "")
        result["cell_source"] = first_line(src)[:120]
    if out_dir:
        os.makedirs(out_dir, exist_ok=True)
        nbformat.write(nb, os.path.join(out_dir, os.path.basename(path)))
    if write and result["ok"]:
        nbformat.write(nb, path)
    return result


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("notebooks", nargs="*", help="notebooks to run (default: notebooks/*.ipynb)")
    ap.add_argument("--timeout", type=float, default=60, help="seconds allowed per cell (default 60)")
    ap.add_argument("--kernel", default="tslab", help="kernel name (default tslab)")
    ap.add_argument("--write", action="store_true", help="save executed outputs back into each passing notebook")
    ap.add_argument("--out", metavar="DIR", help="write executed copies into DIR")
    args = ap.parse_args(argv)
    if args.write and args.out:
        ap.error("--write and --out exclude each other")

    paths = args.notebooks
    if not paths:
        nbdir = os.path.join(ROOT, "notebooks")
        paths = sorted(os.path.join(nbdir, f) for f in os.listdir(nbdir) if f.endswith(".ipynb"))
    if not paths:
        print("execute.py: error: no notebooks found", file=sys.stderr)
        return 2
    failed = 0
    for p in paths:
        if not os.path.isfile(p):
            print(json.dumps({"notebook": p, "ok": False, "error": "no such file"}), flush=True)
            failed += 1
            continue
        r = execute(p, args.timeout, args.kernel, args.write, args.out)
        print(json.dumps(r), flush=True)
        if not r["ok"]:
            failed += 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
