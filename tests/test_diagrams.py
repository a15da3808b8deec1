"""The lessons' diagrams: every image a notebook shows exists, every numbered lesson shows one, and the committed
images are the ones tools/diagrams.py draws (names and pixel sizes)."""
import json, re, subprocess, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NBS = ROOT/"nbs"
LESSONS = ["00_env", "01_data", "02_train", "03_scoring", "04_losses", "05_export", "06_kmmlu", "07_consistency",
           "08_pipeline"]
IMAGE_RE = re.compile(r"!\[[^\]]*\]\((images/[^)\s]+\.png)\)")


def images(nb_path):
    nb = json.loads(nb_path.read_text(encoding="utf-8"))
    return [m for c in nb["cells"] if c["cell_type"] == "markdown" for m in IMAGE_RE.findall("".join(c["source"]))]


def test_every_image_exists():
    missing = [f"{p.name}: {img}" for p in sorted(NBS.glob("*.ipynb")) for img in images(p) if not (NBS/img).is_file()]
    assert not missing, missing


def test_every_lesson_has_a_diagram():
    assert not [n for n in LESSONS if not images(NBS/f"{n}.ipynb")]


def test_images_match_the_script():
    r = subprocess.run([sys.executable, str(ROOT/"tools"/"diagrams.py"), "--check"], capture_output=True, text=True,
                       cwd=ROOT, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
