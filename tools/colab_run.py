#!/usr/bin/env python3
"""Run one notebook top to bottom the way Colab's "Run all" does: a fresh kernel, every code cell in order
(nbdev's `#| eval: false` and `#| hide` mean nothing to Colab), stop at the first error.

Runs inside the simulated Colab's venv (tools/colab_sim.py), with Colab's own nbclient and ipykernel.

    python colab_run.py NOTEBOOK OUT.ipynb [--timeout S]

Exit 0 when every cell ran; 1 with the failing cell, its error and the last traceback lines otherwise.
The executed notebook (outputs included) is written to OUT.ipynb either way, for a look and for the checks.
"""
import re, sys, time
import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

ANSI = re.compile(r"\x1b\[[0-9;]*m")

def main(nb_path:str, out_path:str, timeout:int=900)->int:
    nb = nbformat.read(nb_path, as_version=4)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=False, record_timing=True)
    n, t_cell = len(nb.cells), [time.time()]
    def started(cell, cell_index, **kw): t_cell[0] = time.time()
    def done(cell, cell_index, **kw):   # a line for every slow cell: where the time goes, and where a hang is
        dt = time.time() - t_cell[0]
        first = "".join(cell.source).splitlines()[0][:70]
        if dt > 5: print(f"  cell {cell_index+1}/{n} {dt:5.1f}s  {first}", flush=True)
    client.on_cell_start, client.on_cell_executed = started, done
    t0, rc = time.time(), 0
    try: client.execute()
    except (CellExecutionError, CellTimeoutError, DeadKernelError) as e:
        rc = 1
        failed = next((c for c in nb.cells if c.cell_type == "code" and any(o.get("output_type") == "error"
                                                                            for o in c.get("outputs", []))), None)
        src = "".join(failed.source).splitlines()[:6] if failed else []
        print(f"FAILED after {time.time()-t0:.0f}s in cell {failed.get('id') if failed else '?'}:", flush=True)
        for line in src: print(f"    | {line}")
        err = next((o for o in (failed.outputs if failed else []) if o.get("output_type") == "error"), None)
        if err:
            tb = [ANSI.sub("", l) for l in err.get("traceback", [])]
            print("\n".join(tb[-3:])[-3000:])
            print(f"ERROR: {err['ename']}: {err['evalue']}"[:2000])
        else: print(f"ERROR: {type(e).__name__}: {str(e)[-2000:]}")
    finally: nbformat.write(nb, out_path)
    if not rc: print(f"ok: {sum(c.cell_type == 'code' for c in nb.cells)} code cells in {time.time()-t0:.0f}s")
    return rc

if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    t = int(sys.argv[sys.argv.index("--timeout") + 1]) if "--timeout" in sys.argv else 900
    if "--timeout" in sys.argv: args.remove(str(t))
    sys.exit(main(args[0], args[1], t))
