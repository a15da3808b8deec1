#!/usr/bin/env python3
"""The lessons' diagrams (nbs/images/*.png), drawn with matplotlib so a student sees them without running anything.

    python tools/diagrams.py            # (re)draw every diagram into nbs/images/
    python tools/diagrams.py --check    # exit 1 if a committed image is missing, extra, or of another pixel size

Agg backend, no network, fixed figure size and dpi (so the pixel size of each image is fixed), no timestamp in
the files. Labels are in English: the fonts matplotlib ships (DejaVu Sans) have no Hangul, and a machine without a
Korean font would draw empty boxes; the Korean explanation sits in the notebook cell under each image.
The numbers in the diagrams are made up to illustrate the idea and are labelled so on the image.
"""
import io, struct, sys
from pathlib import Path

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import FancyBboxPatch  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT/"nbs"/"images"
DPI, WIDTH = 110, 8.2            # 902 px wide
MAX_BYTES = 150_000
GREY, BLUE, ORANGE, GREEN, RED = "#b0b0b0", "#4c78a8", "#f58518", "#54a24b", "#e45756"
plt.rcParams.update({"font.family": "DejaVu Sans", "font.size": 10, "svg.hashsalt": "aes-kit",
                     "axes.spines.top": False, "axes.spines.right": False})

def _canvas(h, xlim=(0, 100), ylim=(0, 100)):
    fig = plt.figure(figsize=(WIDTH, h), dpi=DPI)
    ax = fig.add_axes([0, 0, 1, 1]); ax.set_xlim(*xlim); ax.set_ylim(*ylim); ax.axis("off")
    return fig, ax

def box(ax, x, y, w, h, text, fc="#e8eef6", ec=BLUE, fs=10, weight="normal", color="black"):
    "A rounded box with centred text; (x, y) is the lower-left corner."
    ax.add_patch(FancyBboxPatch((x, y), w, h, boxstyle="round,pad=0.4,rounding_size=1.5", fc=fc, ec=ec, lw=1.4))
    ax.text(x + w/2, y + h/2, text, ha="center", va="center", fontsize=fs, weight=weight, color=color)

def arrow(ax, x0, y0, x1, y1, text=None, color="#444444", fs=9, style="-|>", ls="-"):
    ax.annotate("", xy=(x1, y1), xytext=(x0, y0),
                arrowprops=dict(arrowstyle=style, color=color, lw=1.5, shrinkA=2, shrinkB=2, linestyle=ls))
    if text: ax.text((x0 + x1)/2, (y0 + y1)/2 + 2.2, text, ha="center", va="bottom", fontsize=fs, color=color)

def note(ax, text, x=99, y=1.5, fs=8.5):
    ax.text(x, y, text, ha="right", va="bottom", fontsize=fs, color="#666666", style="italic")

# --- 00: course map -------------------------------------------------------------------------------------------
def course_map():
    fig, ax = _canvas(3.6)
    ax.text(50, 95, "The course: one path through the notebooks", ha="center", va="top", fontsize=13, weight="bold")
    row1 = [("00", "environment\n+ pilot"), ("01", "data prep,\nvalidation"), ("01a", "prompts,\nJSON targets"),
            ("02", "QLoRA\ntraining"), ("03 / 03a", "scoring /\nQWK metrics")]
    row2 = [("04", "custom losses\nNTL, EMO"), ("05", "merge +\n4-bit quantize"), ("06", "KMMLU\nevaluation"),
            ("07", "self-\nconsistency"), ("08", "pipeline\n+ sweep")]
    w, h, gap, x0 = 15.5, 26, 4.6, 3
    def draw(row, y, colour):
        xs = []
        for i, (num, topic) in enumerate(row):
            x = x0 + i*(w + gap); xs.append(x)
            ax.add_patch(FancyBboxPatch((x, y), w, h, boxstyle="round,pad=0.4,rounding_size=1.5",
                                        fc=colour, ec=BLUE, lw=1.4))
            ax.text(x + w/2, y + h - 5, num, ha="center", va="center", fontsize=12, weight="bold", color=BLUE)
            ax.text(x + w/2, y + h/2 - 4, topic, ha="center", va="center", fontsize=9.5)
        return xs
    y1, y2 = 52, 10
    xs1 = draw(row1, y1, "#e8eef6"); xs2 = draw(row2, y2, "#fdf0e2")
    for xs, y in ((xs1, y1), (xs2, y2)):
        for a, b in zip(xs, xs[1:]): arrow(ax, a + w + 0.5, y + h/2, b - 0.5, y + h/2)
    # 03/03a -> 04: down the right side, then back to the start of the second row
    xr = xs1[-1] + w/2
    ym, xl = (y1 + y2 + h)/2, xs2[0] + w/2
    ax.plot([xr, xr, xl], [y1 - 1, ym, ym], color="#444444", lw=1.5)
    arrow(ax, xl, ym, xl, y2 + h + 0.8)
    note(ax, "00a (shared tools) and 00b (model loading) are reference notebooks used by all of them", y=1)
    return fig

# --- 01 / 02: data row -> prompt + answer -> token labels -----------------------------------------------------
def answer_masking():
    fig, ax = _canvas(3.9)
    ax.text(50, 96, "Answer-only training: the loss sees only the answer tokens", ha="center", va="top",
            fontsize=13, weight="bold")
    # the data row
    cols = [("prompt", "Write about ..."), ("essay", "In my view ..."), ("score", "4"),
            ("feedback", "Clear thesis ...")]
    x = 4
    ax.text(x, 80, "one data row", fontsize=9, color="#555555", va="center")
    for name, val in cols:
        wd = 8 if name == "score" else 17
        box(ax, x, 64, wd, 9, f"{name}\n{val}", fc="#f4f4f4", ec="#888888", fs=8.5)
        x += wd + 2.5
    arrow(ax, 76, 68.5, 82, 68.5)
    ax.text(83, 68.5, "prompt + answer\n(chat template)", fontsize=9, va="center")
    # the token strip
    prompt = ["<user>", "Write", "about", "...", "In", "my", "view", "...", "<asst>"]
    answer = ['{"', "score", '":', " 4", ",", ' "feedback"', "...", '"}', "<eos>"]
    toks = [(t, False) for t in prompt] + [(t, True) for t in answer]
    widths = [max(5.2, 1.0*len(t) + 1.6) for t, _ in toks]
    scale = 88/sum(w + 0.5 for w in widths)
    x, y, h = 10, 32, 11
    for (t, trained), wd in zip(toks, widths):
        wd *= scale
        fc, ec = (ORANGE, "#b35f00") if trained else ("#dddddd", "#999999")
        ax.add_patch(FancyBboxPatch((x, y), wd, h, boxstyle="round,pad=0.15,rounding_size=0.6", fc=fc, ec=ec, lw=1))
        ax.text(x + wd/2, y + h/2, t, ha="center", va="center", fontsize=8.2, color="white" if trained else "#333333")
        ax.text(x + wd/2, y - 5, "-100" if not trained else "id", ha="center", va="center", fontsize=7.8,
                color="#777777" if not trained else "#b35f00")
        x += wd + 0.5*scale
    ax.text(2, y + h/2, "tokens", fontsize=9, color="#555555", va="center")
    ax.text(2, y - 5, "labels", fontsize=9, color="#555555", va="center")
    arrow(ax, 88, 63, 88, 45)
    ax.add_patch(FancyBboxPatch((4, 5), 3, 4, boxstyle="square,pad=0", fc="#dddddd", ec="#999999"))
    ax.text(8.5, 7, "prompt: label -100, ignored by the loss", va="center", fontsize=9)
    ax.add_patch(FancyBboxPatch((52, 5), 3, 4, boxstyle="square,pad=0", fc=ORANGE, ec="#b35f00"))
    ax.text(56.5, 7, "answer + <eos>: label = token id, trained", va="center", fontsize=9)
    return fig

# --- 02: LoRA / QLoRA -----------------------------------------------------------------------------------------
def lora():
    fig, ax = _canvas(3.9)
    ax.text(50, 96, "LoRA: a frozen weight plus a small trainable side path", ha="center", va="top",
            fontsize=13, weight="bold")
    box(ax, 3, 42, 11, 12, "input x\n(d)", fc="#f4f4f4", ec="#888888")
    box(ax, 30, 60, 26, 20, "W   (d x d)\nfrozen\nQLoRA: W in 4-bit NF4", fc="#e0e0e0", ec="#888888", fs=9.5)
    box(ax, 24, 14, 12, 16, "A\n(r x d)", fc="#fde3c8", ec=ORANGE)
    box(ax, 44, 14, 12, 16, "B\n(d x r)", fc="#fde3c8", ec=ORANGE)
    ax.text(40, 34, "trainable, rank r (e.g. 16)", ha="center", fontsize=9, color="#b35f00")
    ax.text(72, 48, "+", ha="center", va="center", fontsize=15, bbox=dict(boxstyle="circle,pad=0.25", fc="white",
                                                                          ec="#444444", lw=1.5))
    box(ax, 84, 42, 12, 12, "output h", fc="#f4f4f4", ec="#888888")
    arrow(ax, 14.5, 50, 29.5, 68); arrow(ax, 14.5, 46, 23.5, 24)
    arrow(ax, 36.5, 22, 43.5, 22); arrow(ax, 56.5, 70, 69.5, 50.5); arrow(ax, 56.5, 22, 69.5, 45.5)
    ax.text(66, 28, "x alpha / r", fontsize=9, color="#444444")
    arrow(ax, 75.5, 48, 83.5, 48)
    ax.text(50, 3, "h = W x + (alpha / r) B A x        only A and B learn: about 1% of the parameters",
            ha="center", fontsize=10)
    return fig

# --- 03: score distribution read-out + QWK weights --------------------------------------------------------------
SCORE_P = [0.02, 0.03, 0.10, 0.40, 0.15, 0.30]   # made up: argmax 3, expected 3.53 -> 4

def scoring_readout():
    fig = plt.figure(figsize=(WIDTH, 3.5), dpi=DPI)
    a1 = fig.add_axes([0.07, 0.16, 0.5, 0.66]); a2 = fig.add_axes([0.68, 0.16, 0.26, 0.66])
    fig.text(0.5, 0.96, 'Reading the score after  {"score": ', ha="center", va="top", fontsize=13, weight="bold")
    s = range(6); ev = sum(i*p for i, p in zip(s, SCORE_P)); am = max(s, key=lambda i: SCORE_P[i])
    cols = [ORANGE if i == am else BLUE for i in s]
    a1.bar(s, SCORE_P, color=cols, width=0.7)
    a1.axvline(ev, color=RED, ls="--", lw=1.6)
    a1.text(ev + 0.08, 0.43, f"expected = {ev:.2f}\n-> rounds to {round(ev)}", color=RED, fontsize=9, va="top")
    a1.text(am, SCORE_P[am] + 0.01, "argmax", ha="center", va="bottom", fontsize=9, color="#b35f00")
    a1.set_xticks(list(s)); a1.set_xlabel("next token: score digit"); a1.set_ylabel("probability")
    a1.set_ylim(0, 0.5); a1.set_title("one forward pass, one distribution (illustration)", fontsize=9.5)
    k = 6; wts = [[(i - j)**2/(k - 1)**2 for j in range(k)] for i in range(k)]
    im = a2.imshow(wts, cmap="Reds", vmin=0, vmax=1)
    for i in range(k):
        for j in range(k):
            a2.text(j, i, f"{wts[i][j]:.2f}".lstrip("0") if wts[i][j] else "0", ha="center", va="center",
                    fontsize=6.5, color="white" if wts[i][j] > 0.5 else "black")
    a2.set_xticks(range(k)); a2.set_yticks(range(k)); a2.set_xlabel("predicted"); a2.set_ylabel("gold")
    a2.set_title("QWK weights (i - j)^2 / 25", fontsize=9.5)
    fig.colorbar(im, ax=a2, fraction=0.046, pad=0.04).ax.tick_params(labelsize=7)
    return fig

# --- 04: CE vs NTL on a digit distribution ----------------------------------------------------------------------
def ntl_vs_ce():
    import math
    fig = plt.figure(figsize=(WIDTH, 3.6), dpi=DPI)
    fig.text(0.5, 0.97, "Same mass on a wrong digit: CE cannot tell, NTL can", ha="center", va="top",
             fontsize=13, weight="bold")
    gold, digits = 5, list(range(10))
    from matplotlib.colors import LinearSegmentedColormap
    cmap = LinearSegmentedColormap.from_list("near_far", ["#1a7f37", "#d99a00", "#c0392b"])
    for k, (wrong, x0) in enumerate(((4, 0.07), (0, 0.56))):
        p = [0.0]*10; p[gold] = 0.1; p[wrong] = 0.9   # the notebook's toy distributions
        ax = fig.add_axes([x0, 0.22, 0.4, 0.56])
        ax.bar(digits, p, color=[cmap(abs(d - gold)/5) for d in digits], edgecolor="#555555", lw=0.5, width=0.75)
        ax.bar([gold], [p[gold]], color="none", edgecolor="black", lw=2, width=0.75)
        ax.text(gold, p[gold] + 0.02, "gold", ha="center", fontsize=9)
        ce = -math.log(p[gold]); yhat = sum(d*q for d, q in zip(digits, p))
        mse = (yhat - gold)**2; was = sum(q*abs(d - gold) for d, q in zip(digits, p))
        ax.set_title(f"0.1 on gold 5, 0.9 on {wrong} ({'near' if wrong == 4 else 'far'})", fontsize=10)
        ax.text(0.98, 0.97, f"CE      = {ce:.2f}\nNTL-MSE = {mse:.2f}\nNTL-WAS = {was:.2f}",
                transform=ax.transAxes, va="top", ha="right", multialignment="left", fontsize=9,
                family="DejaVu Sans Mono", bbox=dict(fc="white", ec="#aaaaaa", boxstyle="round,pad=0.3"))
        ax.set_xticks(digits); ax.set_ylim(0, 1.0); ax.set_xlabel("digit token", labelpad=1)
        for d, t in zip(digits, ax.get_xticklabels()): t.set_color(cmap(abs(d - gold)/5)); t.set_weight("bold")
        if k == 0: ax.set_ylabel("probability")
    fig.text(0.5, 0.02, "CE = -log p(gold);  colour = distance to the gold digit (green near, red far); toy numbers",
             ha="center", fontsize=8.5, color="#666666", style="italic")
    return fig

# --- 05: merge -> quantize ---------------------------------------------------------------------------------------
def merge_quantize():
    fig, ax = _canvas(3.7)
    ax.text(50, 96, "From a trained adapter to files you can ship", ha="center", va="top", fontsize=13,
            weight="bold")
    box(ax, 2, 64, 20, 14, "base, 4-bit\n(training)\n~5.5 GB", fc="#e0e0e0", ec="#888888", fs=9)
    box(ax, 30, 64, 18, 14, "LoRA adapter\nA, B\n~0.1 GB", fc="#fde3c8", ec=ORANGE, fs=9)
    box(ax, 2, 24, 20, 14, "16-bit original W\n(bf16 / fp16)\n~15 GB", fc="#e8eef6", ec=BLUE, fs=9)
    box(ax, 40, 24, 20, 14, "merged, 16-bit\nW + (alpha/r) B A\n~15 GB", fc="#e8eef6", ec=BLUE, fs=9,
        weight="bold")
    box(ax, 76, 56, 21, 14, "4-bit NF4\n(bitsandbytes)\n~5.5 GB", fc="#dff0d8", ec=GREEN, fs=9)
    box(ax, 76, 18, 21, 14, "GGUF q4_k_m\n(llama.cpp)\n~4.7 GB", fc="#dff0d8", ec=GREEN, fs=9)
    arrow(ax, 23, 71, 29, 71, "train")
    arrow(ax, 40, 63, 48, 39); arrow(ax, 23, 31, 39, 31, "merge")
    arrow(ax, 61, 33, 75, 60, "quantize"); arrow(ax, 61, 29, 75, 25, "convert")
    ax.text(12, 50, "merge into the 16-bit W,\nnot the 4-bit one", ha="center", va="center", fontsize=8.5,
            color=RED)
    note(ax, "sizes: illustrative, for a 7B model", y=2)
    return fig

# --- 06: KMMLU log-likelihood --------------------------------------------------------------------------------------
KMMLU_LL = {"A": -2.9, "B": -0.6, "C": -1.8, "D": -3.4}   # made up

def kmmlu_loglik():
    fig = plt.figure(figsize=(WIDTH, 3.5), dpi=DPI)
    fig.text(0.5, 0.96, "KMMLU by log-likelihood: which letter does the model expect?", ha="center", va="top",
             fontsize=13, weight="bold")
    ax = fig.add_axes([0, 0, 0.5, 0.88]); ax.set_xlim(0, 100); ax.set_ylim(0, 100); ax.axis("off")
    box(ax, 6, 56, 84, 30, "5-shot context: 5 solved examples (dev split)\n"
        "question  A. ..  B. ..  C. ..  D. ..  answer: B\n"
        "...  x 5", fc="#f4f4f4", ec="#888888", fs=8.5)
    box(ax, 6, 14, 84, 30, "the test question\nA. ...   B. ...   C. ...   D. ...\nanswer:  ?", fc="#e8eef6", ec=BLUE,
        fs=8.5)
    arrow(ax, 91, 29, 99.5, 29)
    ax.text(48, 4, "one context, four continuations \" A\" .. \" D\"", ha="center", fontsize=8.5, color="#555555")
    b = fig.add_axes([0.6, 0.16, 0.36, 0.62])
    letters = list(KMMLU_LL); vals = [KMMLU_LL[k] for k in letters]; best = max(letters, key=KMMLU_LL.get)
    b.barh(letters[::-1], vals[::-1], color=[ORANGE if k == best else BLUE for k in letters[::-1]], height=0.6)
    for k, v in zip(letters, vals):
        b.text(v - 0.08, k, f"{v:.1f}", ha="right", va="center", fontsize=9)
    b.set_xlim(-4.2, 0); b.set_xlabel("log p(letter | context)   (illustration)")
    b.text(KMMLU_LL[best] - 0.5, best, "argmax: chosen", ha="right", va="center", fontsize=9.5, color="#b35f00",
           weight="bold")
    b.set_title("score each letter, pick the largest", fontsize=9.5)
    return fig

# --- 07: self-consistency ------------------------------------------------------------------------------------------
def self_consistency():
    fig = plt.figure(figsize=(WIDTH, 3.6), dpi=DPI)
    fig.text(0.5, 0.97, "Self-consistency: sample m answers, vote, measure QWK as m grows", ha="center", va="top",
             fontsize=13, weight="bold")
    ax = fig.add_axes([0, 0, 0.6, 0.9]); ax.set_xlim(0, 100); ax.set_ylim(0, 100); ax.axis("off")
    box(ax, 2, 40, 14, 16, "essay\n+ prompt", fc="#f4f4f4", ec="#888888", fs=9)
    samples = [3, 4, 3, 2, 3, 4, 5]
    for i, s in enumerate(samples):
        y = 82 - i*11
        box(ax, 27, y - 3.5, 11, 6.5, f'score {s}', fc="#e8eef6", ec=BLUE, fs=8)
        arrow(ax, 16.5, 48, 26.5, y, color="#999999")
    ax.text(32.5, 3, f"m = {len(samples)} samples", ha="center", fontsize=9, color="#555555")
    maj = max(set(samples), key=samples.count); avg = sum(samples)/len(samples)
    box(ax, 52, 62, 22, 14, f"majority vote\nmost common: {maj}", fc="#fde3c8", ec=ORANGE, fs=9)
    box(ax, 52, 22, 22, 14, f"average\n{avg:.2f} -> {int(avg + 0.5)}", fc="#fde3c8", ec=ORANGE, fs=9)
    arrow(ax, 39.5, 55, 51.5, 68); arrow(ax, 39.5, 42, 51.5, 30)
    box(ax, 82, 42, 14, 14, "final\nscore", fc="#dff0d8", ec=GREEN, fs=9)
    arrow(ax, 74.5, 68, 81.5, 52); arrow(ax, 74.5, 30, 81.5, 46)
    c = fig.add_axes([0.66, 0.17, 0.31, 0.6])
    ms = [1, 2, 3, 5, 8, 12, 20, 30, 50]
    maj_q = [0.55 + 0.08*(1 - 0.72**(m - 1)) for m in ms]; avg_q = [0.55 + 0.10*(1 - 0.62**(m - 1)) for m in ms]
    c.plot(ms, maj_q, "-o", ms=3, color=ORANGE, label="majority"); c.plot(ms, avg_q, "-o", ms=3, color=BLUE,
                                                                         label="average")
    c.axhline(0.60, color="#777777", ls="--", lw=1)
    c.text(50, 0.605, "greedy", ha="right", fontsize=8, color="#555555")
    c.set_xscale("log"); c.set_xticks([1, 5, 10, 50]); c.set_xticklabels(["1", "5", "10", "50"])
    c.set_xlabel("m (samples per essay)"); c.set_ylabel("QWK"); c.set_ylim(0.5, 0.7)
    c.set_title("QWK vs m flattens (illustration)", fontsize=9.5)
    c.legend(fontsize=8, frameon=False, loc="lower right")
    c.text(1.1, 0.54, "m = 1: one sample", fontsize=7.5, color="#555555", va="top")
    return fig

# --- 08: pipeline / sweep -----------------------------------------------------------------------------------------
SWEEP_QWK = {"qwen2.5-7b": 0.71, "llama3.1-8b": 0.66, "solar-10.7b": 0.69, "gemma2-9b": 0.73}   # made up

def sweep():
    fig = plt.figure(figsize=(WIDTH, 3.6), dpi=DPI)
    fig.text(0.5, 0.97, "A sweep: one config file, every model trained and scored the same way", ha="center",
             va="top", fontsize=13, weight="bold")
    ax = fig.add_axes([0, 0, 0.66, 0.9]); ax.set_xlim(0, 100); ax.set_ylim(0, 100); ax.axis("off")
    box(ax, 2, 40, 16, 16, "config.yaml\nmodels: [...]\ndata, loss", fc="#f4f4f4", ec="#888888", fs=8.5)
    for i, m in enumerate(SWEEP_QWK):
        y = 80 - i*20
        box(ax, 27, y - 4, 20, 8, m, fc="#e8eef6", ec=BLUE, fs=8.5)
        box(ax, 53, y - 4, 10, 8, "train", fc="#fde3c8", ec=ORANGE, fs=8.5)
        box(ax, 68, y - 4, 10, 8, "score", fc="#fde3c8", ec=ORANGE, fs=8.5)
        arrow(ax, 18.5, 48, 26.5, y, color="#999999"); arrow(ax, 47.5, y, 52.5, y); arrow(ax, 63.5, y, 67.5, y)
        arrow(ax, 78.5, y, 86.5, 48, color="#999999")
    box(ax, 87, 40, 11, 16, "results\ntable\n(.csv)", fc="#dff0d8", ec=GREEN, fs=8.5)
    ax.text(50, 3, "a model that fails (no token, out of memory) is recorded and skipped", ha="center",
            fontsize=8.5, color="#555555", style="italic")
    b = fig.add_axes([0.73, 0.3, 0.25, 0.48])
    names = list(SWEEP_QWK); b.bar(range(len(names)), [SWEEP_QWK[n] for n in names], color=BLUE, width=0.6)
    b.set_xticks(range(len(names))); b.set_xticklabels([n.split("-")[0] for n in names], rotation=30, fontsize=8)
    b.set_ylim(0, 1); b.set_ylabel("QWK"); b.set_title("sweep_qwk.png (illustration)", fontsize=9)
    return fig

DIAGRAMS = {"course_map": course_map, "answer_masking": answer_masking, "lora": lora,
            "scoring_readout": scoring_readout, "ntl_vs_ce": ntl_vs_ce, "merge_quantize": merge_quantize,
            "kmmlu_loglik": kmmlu_loglik, "self_consistency": self_consistency, "sweep": sweep}

def render(name)->bytes:
    "One diagram as PNG bytes (no software/date metadata)."
    fig = DIAGRAMS[name](); buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, metadata={"Software": None}, facecolor="white")
    plt.close(fig)
    return buf.getvalue()

def png_size(data:bytes)->tuple[int, int]:
    "(width, height) from a PNG's IHDR chunk."
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return struct.unpack(">II", data[16:24])

def check(out=OUT)->list[str]:
    "Problems between the committed images and what this script draws (names and pixel sizes, not bytes)."
    have = {p.stem for p in Path(out).glob("*.png")}
    probs = [f"missing: images/{n}.png" for n in sorted(set(DIAGRAMS) - have)]
    probs += [f"not drawn by tools/diagrams.py: images/{n}.png" for n in sorted(have - set(DIAGRAMS))]
    for n in sorted(set(DIAGRAMS) & have):
        data = (Path(out)/f"{n}.png").read_bytes()
        if len(data) > MAX_BYTES: probs.append(f"images/{n}.png is {len(data)} bytes (> {MAX_BYTES})")
        want, got = png_size(render(n)), png_size(data)
        if want != got: probs.append(f"images/{n}.png is {got[0]}x{got[1]} px, the script draws {want[0]}x{want[1]}")
    return probs

def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if "--check" in argv:
        probs = check()
        for p in probs: print(p)
        if probs: print("run `python tools/diagrams.py` and commit nbs/images/"); return 1
        return 0
    OUT.mkdir(parents=True, exist_ok=True)
    for n in (argv or DIAGRAMS):
        data = render(n); (OUT/f"{n}.png").write_bytes(data)
        w, h = png_size(data); print(f"nbs/images/{n}.png  {w}x{h} px  {len(data)/1000:.0f} kB")
    return 0

if __name__ == "__main__": sys.exit(main())
