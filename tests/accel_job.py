"""Run several `aes-kit` commands in one process, each exactly as `python -m aes_kit.cli ARGS` would (the entry point
`accelerate launch -m aes_kit.cli` starts), so one launch of N processes covers several runs.

    accelerate launch --multi_gpu --num_processes 2 tests/accel_job.py JOBS.json   # JOBS.json: a list of argv lists
"""
import json, runpy, sys

if __name__ == "__main__":
    codes = []
    for argv in json.load(open(sys.argv[1], encoding="utf-8")):
        sys.argv = ["aes_kit.cli", *map(str, argv)]
        try: runpy.run_module("aes_kit.cli", run_name="__main__", alter_sys=True)
        except SystemExit as e: codes.append(e.code if isinstance(e.code, int) else 0)
    sys.exit(max(codes, default=0))
