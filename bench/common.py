"""What every benchmark shares: its arguments (a settings table, as the kit's commands have), the facts of the machine
a result was measured on, and writing the result file under bench/results/.

    from common import Setting, bench_args, write_result
    a = bench_args("bench_loss", __doc__, model=MODEL, reps=Setting(8, "timed repetitions", int, lo=1))
    ...
    write_result("bench_loss", dict(ratio=r, ...))   # bench/results/bench_loss.json, with `machine` facts added
"""
import datetime, os, platform, subprocess, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path: sys.path.insert(0, str(ROOT))   # `python bench/x.py` from a checkout
from aes_kit.core import write_json                        # noqa: E402
from aes_kit.model import EMBEDDED_ALIAS                   # noqa: E402
from aes_kit.settings import BACKEND, Setting, Table       # noqa: E402

RESULTS = ROOT/"bench"/"results"
# the arguments most benchmarks take, defined once
MODEL = Setting(EMBEDDED_ALIAS, "model alias, preset, Hub id or local dir", "model")
BACKEND_HF = BACKEND.but(default="hf")
THREADS = Setting(None, "torch/OMP threads (default: torch's own choice)", int, lo=1)


def bench_args(name:str,          # the benchmark (its result file is bench/results/NAME.json)
               doc:str,           # the script's docstring: its first line is the --help description
               argv=None,         # default: sys.argv[1:]
               **settings,        # name -> Setting, in --help order
              ):
    "Parse the benchmark's arguments from a settings table: every flag typed, bounded and with its default in --help."
    t = Table(name, settings)
    return t.fill(t.parse(sys.argv[1:] if argv is None else argv, doc.strip().splitlines()[0]))


def machine()->dict:
    "The facts a result depends on: device, cores and threads, library versions, the commit measured, when."
    import torch, transformers
    cuda = torch.cuda.is_available()
    try: commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True,
                                 text=True, timeout=10).stdout.strip() or None
    except OSError: commit = None
    return dict(device=torch.cuda.get_device_name(0) if cuda else f"CPU ({platform.machine()})",
                cpu_cores=os.cpu_count(), torch_threads=torch.get_num_threads(), python=platform.python_version(),
                torch=torch.__version__, transformers=transformers.__version__, commit=commit,
                date=datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"))


def write_result(name:str,    # the benchmark; the file is bench/results/NAME.json
                 result,      # a dict (or a list of runs) to save
                )->Path:
    "Save a result atomically with the machine facts beside it; return the file."
    body = dict(machine=machine(), **result) if isinstance(result, dict) else dict(machine=machine(), runs=result)
    return write_json(RESULTS/f"{name}.json", body)
