#!/usr/bin/env python3
"""Deterministic generator of aes-kit's sample data (all text written for this project, CC0-1.0).

    python tools/make_sample_data.py            # (re)writes data/aes_sample/, data/interview_sample.csv,
                                                # data/summary_eval_sample.jsonl, data/messy_sample.csv
    python tools/make_sample_data.py --check    # regenerate in memory, exit 1 if a committed file differs

Essays are composed from graded building blocks so that the score is *visible in the text*:
- content (내용) decides how many on-topic reasons/examples appear (0: off-topic, 5: three reasons + an example);
- organization (구성) decides the thesis, the connectives (그리고 / 먼저·또한 / 첫째·둘째·셋째) and the conclusion;
- expression (표현) decides how many writing errors are injected (spacing, dropped final ㅆ, 되/돼, fragments, ㅋㅋ).
The overall score is the rounded-half-up mean of the three traits (declared in meta.json).
Only the Python standard library is used, so the output is byte-identical on every machine.
"""
import argparse, csv, io, json, random, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT/"data"
SEED = 2026
LICENSE = "CC0-1.0"

# ----------------------------------------------------------------------------------------------- essays
PROMPTS = {  # short blocks on purpose: Hangul costs 2-3 tokens per syllable for small models
    "p1": dict(
        prompt="학교에서 휴대폰 사용을 제한해야 하는가?",
        thesis=["휴대폰 사용을 제한해야 한다.", "나는 휴대폰 제한에 찬성한다."],
        reasons=["알림이 수업 집중을 방해한다.", "친구와 직접 대화하는 시간이 는다.", "시험 부정행위를 막을 수 있다.",
                 "사이버 폭력이 줄어든다.", "눈의 피로가 줄어든다."],
        examples=["예를 들어 우리 반은 휴대폰을 걷자 조용해졌다.", "예를 들어 알림을 끈 날 숙제가 빨랐다.",
                  "예를 들어 휴대폰을 걷는 학교는 운동장이 붐빈다."],
        conclusion=["따라서 휴대폰 사용을 제한해야 한다.", "결국 제한이 배움을 지킨다."],
        vague=["휴대폰은 좋기도 하고 나쁘기도 하다.", "휴대폰 문제는 여러 가지다."]),
    "p2": dict(
        prompt="일회용품 사용을 줄여야 하는 이유를 쓰시오.",
        thesis=["일회용품 사용을 줄여야 한다.", "우리는 일회용품을 덜 써야 한다."],
        reasons=["플라스틱은 썩는 데 수백 년이 걸린다.", "바다의 비닐이 물고기를 다치게 한다.",
                 "일회용품을 태우면 온실가스가 나온다.", "쓰레기 처리 비용이 줄어든다.", "작은 습관이 모이면 쓰레기가 준다."],
        examples=["예를 들어 우리 학교는 텀블러를 쓰면 할인해 준다.", "예를 들어 장바구니를 쓰면 비닐이 필요 없다.",
                  "예를 들어 우리 가족은 배달 수저를 받지 않는다."],
        conclusion=["따라서 일회용품 사용을 줄여야 한다.", "결국 일회용품을 줄이는 것이 환경을 지킨다."],
        vague=["환경은 중요하다고 들었다.", "일회용품은 편하지만 문제도 있다."]),
    "p3": dict(
        prompt="청소년에게 독서가 왜 중요한지 쓰시오.",
        thesis=["청소년에게 독서는 꼭 필요하다.", "독서는 청소년의 성장에 중요하다."],
        reasons=["책을 읽으면 어휘력이 자란다.", "다른 삶을 읽으며 공감하게 된다.", "긴 글을 읽으면 집중력이 는다.",
                 "여러 관점을 만나 생각이 깊어진다.", "책 속 인물이 진로의 길잡이가 된다."],
        examples=["예를 들어 나는 소설을 읽고 일기가 쉬워졌다.", "예를 들어 위인전을 읽고 과학자를 꿈꾼 친구가 있다.",
                  "예를 들어 독서 동아리 친구들은 토론을 잘한다."],
        conclusion=["따라서 청소년은 매일 책을 읽어야 한다.", "결국 독서는 스스로 자라는 힘이 된다."],
        vague=["책은 읽으면 좋은 것 같다.", "독서는 사람마다 생각이 다르다."]),
    "p4": dict(
        prompt="학생 봉사활동을 의무로 해야 하는가?",
        thesis=["봉사활동을 의무로 해야 한다.", "나는 봉사활동 의무화에 찬성한다."],
        reasons=["남을 돕는 기쁨을 배운다.", "지역 사회의 문제를 직접 본다.", "함께 일하며 협동심이 자란다.",
                 "억지로 시작해도 습관이 된다.", "여러 일을 겪으며 진로를 찾는다."],
        examples=["예를 들어 나는 양로원 봉사 후 할머니께 자주 전화한다.", "예를 들어 하천 청소를 한 친구는 쓰레기를 줍는다.",
                  "예를 들어 도서관 봉사를 한 선배는 사서가 되었다."],
        conclusion=["따라서 봉사활동을 의무로 해야 한다.", "결국 봉사는 좋은 시민을 키운다."],
        vague=["봉사는 착한 일이다.", "봉사활동은 해도 되고 안 해도 된다."]),
    "p5": dict(
        prompt="온라인 수업과 교실 수업 중 무엇이 나은가?",
        thesis=["교실 수업이 온라인 수업보다 낫다.", "나는 교실 수업이 더 좋다고 생각한다."],
        reasons=["선생님께 바로 질문할 수 있다.", "친구들과 토론하며 배운다.", "생활 습관이 규칙적이 된다.",
                 "화면을 덜 봐서 눈이 편하다.", "실험과 체육을 직접 할 수 있다."],
        examples=["예를 들어 온라인 수업 때 나는 딴짓을 했다.", "예를 들어 실험은 직접 할 때 더 잘 기억난다.",
                  "예를 들어 모둠 활동은 교실에서 더 빨리 끝난다."],
        conclusion=["따라서 수업은 교실에서 하는 것이 좋다.", "결국 교실 수업이 배움의 기본이다."],
        vague=["수업은 어디서 하든 비슷하다.", "온라인도 좋고 교실도 좋다."]),
}
OFF_TOPIC = ["어제 저녁에 라면을 먹었다.", "나는 주말마다 축구를 한다.", "오늘은 날씨가 맑아서 좋다.",
             "우리 집 강아지는 산책을 좋아한다.", "다음 주에 가족 여행을 간다.", "요즘 새 게임이 재미있다."]
TRAITS = ("content", "organization", "expression")
TRAIT_RUBRIC = {
    "content": "0 주제와 무관 · 1 막연한 진술뿐 · 2 근거 1개 · 3 근거 2개 · 4 근거 2개+예시 · 5 근거 3개+예시",
    "organization": "0 주장 없음·순서 뒤섞임 · 1 주장 없음 · 2 주장만 · 3 주장+연결어(먼저/또한) · 4 주장+첫째/둘째+결론 · 5 주장+첫째/둘째+'따라서' 결론",
    "expression": "5 오류 없음 · 4 오류 1개 · 3 오류 2개 · 2 오류 3개 · 1 오류 4개 · 0 오류 5개 이상(띄어쓰기, 맞춤법, 비문, 구어체)",
}
SCORE_RUBRIC = {"0": "주제에서 벗어나거나 글이 성립하지 않음", "1": "매우 미흡: 주장·근거가 거의 없고 오류가 많음",
                "2": "미흡: 근거가 부족하고 구성이 약함", "3": "보통: 주장과 근거가 있으나 전개나 표현에 아쉬움",
                "4": "우수: 근거와 구성이 분명하고 오류가 적음", "5": "매우 우수: 충분한 근거·예시, 짜임새 있는 구성, 오류 없음"}
SCORE_COUNTS = {0: 30, 1: 45, 2: 55, 3: 65, 4: 60, 5: 45}   # 300 essays
TEST_FRACTION = 0.2


def round_half_up(x: float) -> int: return int(x + 0.5)


# Hangul syllable arithmetic: syllable = 0xAC00 + (initial*21 + medial)*28 + final
def _drop_ss(s: str) -> str:
    "Writing error: final ㅆ written as ㅅ (했다 -> 햇다, 있다 -> 잇다); None when the sentence has no ㅆ."
    out, hit = [], False
    for ch in s:
        c = ord(ch) - 0xAC00
        if 0 <= c < 11172 and c % 28 == 20 and not hit: ch, hit = chr(ord(ch) - 1), True
        out.append(ch)
    return "".join(out) if hit else None

def _dwae(s):
    for a, b in (("된다", "됀다"), ("돼", "되"), ("되었", "돼었"), ("않", "안"), ("안 ", "않 ")):
        if a in s: return s.replace(a, b, 1)
    return None

def _nospace(s): return s.replace(" ", "") if s.count(" ") >= 2 else None

def _fragment(s):
    "Writing error: the sentence stops before its predicate (a fragment)."
    w = s.rstrip(".").split(" ")
    return " ".join(w[:-1]) if len(w) >= 3 else None

def _colloquial(s):
    return s[:-2] + "다 ㅋㅋ" if s.endswith("다.") else None

ERRORS = [_nospace, _drop_ss, _dwae, _fragment, _colloquial]


def compose_essay(pid: str, traits: dict, rng: random.Random) -> str:
    "Compose one essay on prompt `pid` whose text shows the given trait levels."
    P = PROMPTS[pid]; c, o, e = (traits[t] for t in TRAITS)
    n_reasons, n_examples, n_vague, n_off = {0: (0, 0, 0, 2), 1: (0, 0, 1, 1), 2: (1, 0, 1, 0),
                                             3: (2, 0, 0, 0), 4: (2, 1, 0, 0), 5: (3, 1, 0, 0)}[c]
    body = [("reason", s) for s in rng.sample(P["reasons"], n_reasons)]
    body += [("vague", s) for s in rng.sample(P["vague"], n_vague)]
    body += [("off", s) for s in rng.sample(OFF_TOPIC, n_off)]
    examples = rng.sample(P["examples"], n_examples)
    conn = {0: None, 1: "plain", 2: None, 3: "also", 4: "ordinal", 5: "ordinal"}[o]
    sents, k = [], 0
    for kind, s in body:
        if kind == "reason" and conn:
            if conn == "ordinal": s = ["첫째, ", "둘째, ", "셋째, "][k] + s
            elif conn == "also": s = ["먼저 ", "또한 ", "그리고 "][k] + s
            elif conn == "plain" and k == 1: s = "그리고 " + s
            k += 1
        elif kind != "reason" and conn == "plain" and sents: s = "그리고 " + s
        sents.append(s)
    sents += examples
    if o == 0: rng.shuffle(sents)
    if o >= 2: sents.insert(0, rng.choice(P["thesis"]))
    if o == 4: sents.append(P["conclusion"][1])
    if o == 5: sents.append(P["conclusion"][0])
    n_err = 5 - e
    idx = list(range(len(sents))); rng.shuffle(idx)
    kinds = ERRORS[:]; rng.shuffle(kinds)
    done = 0
    for i in idx * 2:                       # several errors may land in one sentence of a short essay
        if done >= n_err: break
        for f in kinds:
            new = f(sents[i])
            if new is not None and new != sents[i]:
                sents[i] = new; kinds.remove(f); kinds.append(f); done += 1; break
    text = " ".join(s if s.endswith((".", "ㅋ")) else s + "." if e >= 1 or rng.random() < .5 else s for s in sents)
    if e == 0: text = text + " ㅋㅋ" if not text.endswith("ㅋ") else text
    return text


def feedback_for(traits: dict, score: int) -> str:
    "Short Korean feedback: the strongest trait (when >= 4) and advice on the weakest one."
    if traits["content"] == 0: return "주제에서 벗어났습니다."
    good = {"content": "근거가 충분합니다.", "organization": "구성이 분명합니다.", "expression": "문장이 바릅니다."}
    fix = {"content": {1: "주제에 맞는 근거를 쓰세요.", 2: "근거와 예시를 더 쓰세요.", 3: "예시를 들어 보세요.",
                       4: "근거를 하나 더 쓰세요."},
           "organization": {0: "주장을 먼저 밝히세요.", 1: "주장을 먼저 밝히세요.", 2: "첫째, 둘째로 근거를 나누세요.",
                            3: "결론 문장을 쓰세요.", 4: "'따라서'로 결론을 맺으세요."},
           "expression": {0: "맞춤법과 띄어쓰기를 고치세요.", 1: "맞춤법과 띄어쓰기를 고치세요.", 2: "맞춤법과 띄어쓰기를 고치세요.",
                          3: "맞춤법을 고치세요.", 4: "작은 오류를 고치세요."}}
    best = max(TRAITS, key=lambda t: traits[t])          # ties: the first trait in TRAITS order
    worst = min(TRAITS, key=lambda t: traits[t])
    if traits[worst] == 5: return "모두 훌륭합니다."
    parts = [good[best]] if traits[best] >= 4 and traits[best] > traits[worst] else []
    return " ".join(parts + [fix[worst][traits[worst]]])


def sample_traits(score: int, rng: random.Random) -> dict:
    "Trait levels within ±1 of `score` whose rounded mean is exactly `score`."
    while True:
        t = {k: min(5, max(0, score + rng.choice((-1, 0, 0, 1)))) for k in TRAITS}
        if round_half_up(sum(t.values())/3) == score: return t


def make_essays(seed: int = SEED):
    rng = random.Random(seed)
    rows, seen = [], set()
    pids = list(PROMPTS)
    for score, n in SCORE_COUNTS.items():
        for j in range(n):
            pid = pids[j % len(pids)]
            for _ in range(200):
                traits = sample_traits(score, rng)
                essay = compose_essay(pid, traits, rng)
                if essay not in seen: break
            seen.add(essay)
            rows.append(dict(prompt_id=pid, prompt=PROMPTS[pid]["prompt"], essay=essay, score=score,
                             feedback=feedback_for(traits, score), traits=traits))
    rng.shuffle(rows)
    for i, r in enumerate(rows): r["id"] = f"aes-{i+1:04d}"
    rows = [{k: r[k] for k in ("id", "prompt_id", "prompt", "essay", "score", "feedback", "traits")} for r in rows]
    # stratified split: the same fraction of every (score) class goes to test
    test_ids = set()
    for s in SCORE_COUNTS:
        ids = [r["id"] for r in rows if r["score"] == s]
        test_ids.update(rng.sample(ids, round(len(ids)*TEST_FRACTION)))
    return [r for r in rows if r["id"] not in test_ids], [r for r in rows if r["id"] in test_ids]


def essay_meta(train, test) -> dict:
    dist = lambda rs: {str(s): sum(r["score"] == s for r in rs) for s in SCORE_COUNTS}
    return dict(name="aes_sample",
                description="Korean argumentative essays composed from graded building blocks (aes-kit)",
                license=LICENSE, seed=SEED, generator="tools/make_sample_data.py", min_score=0, max_score=5,
                score_rule="score = round_half_up(mean(content, organization, expression))",
                traits={t: [0, 5] for t in TRAITS}, rubric=SCORE_RUBRIC, trait_rubric=TRAIT_RUBRIC,
                prompts={k: v["prompt"] for k, v in PROMPTS.items()},
                rows=dict(train=len(train), test=len(test)),
                score_distribution=dict(train=dist(train), test=dist(test)))


# -------------------------------------------------------------------------------------- interview summary
INTERVIEW = {  # question -> [(answer core, summary)]  (job/club interviews, written for this project)
    "우리 동아리에 지원한 동기는 무엇인가요?": [
        ("작년 축제에서 동아리 공연을 보고 무대에 서고 싶어졌습니다. 연습이 힘들어도 끝까지 해 보고 싶습니다.", "축제 공연을 보고 무대에 서고 싶어 지원했다."),
        ("저는 사진 찍는 것을 좋아하는데 혼자서는 실력이 늘지 않았습니다. 선배들에게 배우고 싶어서 지원했습니다.", "선배들에게 사진을 배우려고 지원했다."),
        ("친구가 추천해서 처음 알게 되었습니다. 활동 기록을 보니 봉사 활동이 많아서 마음에 들었습니다.", "친구 추천으로 알게 되었고 봉사 활동이 많아 지원했다."),
        ("코딩을 배워서 학교 앱을 만들어 보고 싶습니다. 이 동아리가 작년에 급식 앱을 만든 것을 보았습니다.", "급식 앱을 만든 동아리에서 학교 앱을 만들고 싶어 지원했다."),
        ("중학교 때 토론 대회에 나가서 상을 받았습니다. 고등학교에서도 토론을 계속하고 싶습니다.", "중학교 토론 경험을 이어 가려고 지원했다."),
    ],
    "자신의 장점은 무엇이라고 생각하나요?": [
        ("저는 약속 시간을 꼭 지킵니다. 모둠 과제에서 한 번도 마감을 어긴 적이 없습니다.", "약속과 마감을 잘 지키는 것이 장점이다."),
        ("처음 보는 사람과도 금방 친해집니다. 전학 온 친구를 먼저 챙긴 적이 많습니다.", "누구와도 빨리 친해지는 친화력이 장점이다."),
        ("모르는 것이 있으면 끝까지 찾아봅니다. 수학 문제 하나를 사흘 동안 붙잡은 적도 있습니다.", "모르는 것을 끝까지 파고드는 끈기가 장점이다."),
        ("다른 사람의 말을 잘 들어 줍니다. 친구들이 고민이 있으면 저를 찾아옵니다.", "남의 말을 잘 들어 주는 것이 장점이다."),
        ("계획을 세우는 것을 좋아합니다. 시험 기간에는 과목별 시간표를 만들어 지킵니다.", "계획을 세우고 지키는 것이 장점이다."),
    ],
    "자신의 단점과 고치려는 노력을 말해 주세요.": [
        ("발표할 때 너무 긴장합니다. 그래서 거울 앞에서 발표 연습을 자주 합니다.", "발표 때 긴장하는 단점을 연습으로 고치고 있다."),
        ("일을 미루는 버릇이 있습니다. 요즘은 할 일을 아침에 적고 하나씩 지웁니다.", "미루는 버릇을 할 일 목록으로 고치고 있다."),
        ("거절을 잘 못 합니다. 할 수 없는 일은 이유를 말하고 정중히 거절하려고 합니다.", "거절을 못 하는 단점을 정중한 거절로 고치고 있다."),
        ("한 가지에 빠지면 다른 일을 잊습니다. 휴대폰 알람으로 시간을 나누어 씁니다.", "한 가지에 몰두하는 단점을 알람으로 조절한다."),
        ("꼼꼼하지 못해 실수가 잦습니다. 제출 전에 체크리스트로 한 번 더 확인합니다.", "실수가 잦아 체크리스트로 다시 확인한다."),
    ],
    "어려운 일을 해결한 경험이 있나요?": [
        ("모둠 과제에서 한 친구가 참여하지 않았습니다. 따로 이야기해 보니 역할이 어려웠다고 해서 역할을 바꾸었습니다.", "참여하지 않던 친구와 대화해 역할을 바꿔 해결했다."),
        ("학급 회의에서 체육 대회 종목으로 의견이 갈렸습니다. 제가 투표를 제안해서 빨리 정했습니다.", "의견이 갈린 회의에서 투표를 제안해 해결했다."),
        ("수학 성적이 크게 떨어진 적이 있습니다. 오답 노트를 만들어 한 학기 만에 다시 올렸습니다.", "떨어진 수학 성적을 오답 노트로 회복했다."),
        ("동아리 공연 직전에 음향 장비가 고장 났습니다. 선생님께 빌린 스피커로 공연을 무사히 마쳤습니다.", "공연 직전 장비 고장을 빌린 스피커로 해결했다."),
        ("봉사 활동 장소가 갑자기 취소되었습니다. 친구들과 주변 복지관에 연락해 새 장소를 구했습니다.", "취소된 봉사 장소 대신 새 복지관을 구했다."),
    ],
    "입학 후 가장 하고 싶은 활동은 무엇인가요?": [
        ("과학 탐구 대회에 나가고 싶습니다. 친구들과 물 절약 장치를 만들어 보고 싶습니다.", "과학 탐구 대회에서 물 절약 장치를 만들고 싶다."),
        ("학생회에서 일해 보고 싶습니다. 학생들의 의견을 모으는 건의함을 만들고 싶습니다.", "학생회에서 건의함을 만들고 싶다."),
        ("도서부에서 독서 모임을 열고 싶습니다. 한 달에 한 권씩 함께 읽고 이야기하고 싶습니다.", "도서부에서 매달 독서 모임을 열고 싶다."),
        ("교내 밴드에서 드럼을 치고 싶습니다. 축제 무대에 서는 것이 목표입니다.", "밴드에서 드럼을 치며 축제 무대에 서고 싶다."),
        ("외국어 동아리에서 영어 신문을 만들고 싶습니다. 학교 소식을 영어로 알리고 싶습니다.", "외국어 동아리에서 영어 학교 신문을 만들고 싶다."),
    ],
    "팀에서 갈등이 생기면 어떻게 하나요?": [
        ("먼저 각자의 이야기를 끝까지 듣습니다. 그다음 공통점을 찾아 타협안을 냅니다.", "양쪽 말을 듣고 공통점으로 타협안을 찾는다."),
        ("감정이 가라앉을 때까지 잠시 쉬자고 합니다. 다음 날 차분하게 다시 이야기합니다.", "잠시 쉬었다가 차분히 다시 이야기한다."),
        ("규칙을 미리 정해 두는 편입니다. 갈등이 생기면 정한 규칙대로 결정합니다.", "미리 정한 규칙에 따라 갈등을 푼다."),
        ("제가 틀렸을 수도 있다고 생각합니다. 제 잘못이 있으면 먼저 사과합니다.", "자신의 잘못이 있으면 먼저 사과한다."),
        ("해결이 안 되면 선생님께 도움을 청합니다. 혼자 끙끙 앓지 않으려고 합니다.", "해결이 어려우면 선생님께 도움을 청한다."),
    ],
    "졸업 후 진로 계획을 말해 주세요.": [
        ("간호학과에 진학하고 싶습니다. 병원 봉사를 하며 간호사의 일을 가까이서 보았습니다.", "병원 봉사 경험으로 간호학과 진학을 계획한다."),
        ("게임 개발자가 되고 싶습니다. 지금은 혼자 작은 게임을 만들며 공부하고 있습니다.", "작은 게임을 만들며 게임 개발자를 준비한다."),
        ("요리사가 되는 것이 꿈입니다. 주말마다 가족에게 새로운 요리를 해 줍니다.", "주말 요리 연습을 하며 요리사를 꿈꾼다."),
        ("아직 정하지 못했습니다. 여러 동아리를 해 보면서 적성을 찾으려고 합니다.", "진로를 정하지 못해 동아리로 적성을 찾는 중이다."),
        ("초등학교 교사가 되고 싶습니다. 동생들에게 공부를 가르쳐 줄 때 가장 보람을 느낍니다.", "가르치는 보람 때문에 초등 교사를 꿈꾼다."),
    ],
    "마지막으로 하고 싶은 말이 있나요?": [
        ("뽑아 주신다면 누구보다 성실하게 활동하겠습니다. 감사합니다.", "뽑아 주면 성실하게 활동하겠다고 했다."),
        ("오늘 면접이 긴장됐지만 즐거웠습니다. 좋은 결과가 있으면 좋겠습니다.", "긴장됐지만 즐거운 면접이었다고 했다."),
        ("제가 만든 작품을 다음에 꼭 보여 드리고 싶습니다. 기회를 주셔서 감사합니다.", "자신의 작품을 보여 주고 싶다고 했다."),
        ("부족한 점이 많지만 배우려는 마음은 큽니다. 열심히 하겠습니다.", "부족하지만 배우려는 의지가 크다고 했다."),
        ("선배님들처럼 후배를 이끄는 사람이 되고 싶습니다. 감사합니다.", "선배들처럼 후배를 이끌고 싶다고 했다."),
    ],
}
OPENERS = ["네, ", "음, ", "솔직히 말씀드리면 ", "제 생각에는 ", "", "좋은 질문이네요. "]


def make_interview(seed: int = SEED):
    rng = random.Random(seed + 1)
    rows = []
    for q, items in INTERVIEW.items():
        for core, summ in items:
            rows.append(dict(question=q, answer=rng.choice(OPENERS) + core, summary=summ))
    rng.shuffle(rows)
    return rows


# ---------------------------------------------------------------------------------------- summary eval
# Each article: sentences, 3 key points (student phrasing, reference phrasing, wrong-fact phrasing), a distractor.
ARTICLES = [
    dict(text=["한빛시는 다음 달부터 공공자전거를 500대에서 1,200대로 늘린다.", "대여소도 40곳이 새로 생긴다.",
               "시는 출퇴근 시간의 교통 혼잡을 줄이기 위해서라고 밝혔다.", "첫 30분 이용은 무료이다.",
               "한편 시청 앞 광장에서는 기념 행사도 열린다."],
         points=[("한빛시가 공공자전거를 1,200대로 늘린다.", "한빛시는 공공자전거를 1,200대로 늘린다.", "한빛시가 공공자전거를 2,000대로 늘린다."),
                 ("출퇴근 교통 혼잡을 줄이려는 목적이다.", "목적은 출퇴근 교통 혼잡 완화이다.", "관광객을 늘리려는 목적이다."),
                 ("처음 30분은 무료로 탈 수 있다.", "첫 30분은 무료이다.", "처음 한 시간은 무료로 탈 수 있다.")],
         distractor="시청 앞 광장에서 기념 행사가 열린다."),
    dict(text=["새봄중학교 도서관이 이번 학기부터 밤 9시까지 문을 연다.", "학생들의 자습 공간이 부족하다는 의견이 많았기 때문이다.",
               "야간에는 학부모 봉사자 두 명이 도서관을 지킨다.", "학교는 한 학기 운영한 뒤 연장 여부를 정한다.",
               "도서관 입구에는 새 책 200권도 전시되었다."],
         points=[("새봄중 도서관이 밤 9시까지 연다.", "새봄중학교 도서관은 밤 9시까지 문을 연다.", "새봄중 도서관이 밤 11시까지 연다."),
                 ("자습 공간이 부족하다는 의견 때문이다.", "자습 공간 부족 의견을 반영했다.", "시험 성적을 올리기 위해서이다."),
                 ("한 학기 운영 후 연장을 결정한다.", "한 학기 뒤 연장 여부를 정한다.", "일 년 운영 후 연장을 결정한다.")],
         distractor="입구에 새 책 200권이 전시되었다."),
    dict(text=["바다마을 주민들이 매주 토요일 해변 쓰레기 줍기를 시작했다.", "지난여름 해변 쓰레기가 두 배로 늘었기 때문이다.",
               "첫 행사에는 주민 80명이 참여해 쓰레기 300킬로그램을 모았다.", "마을은 모은 플라스틱을 재활용 업체에 보낸다.",
               "행사가 끝난 뒤에는 마을 회관에서 국수를 나누어 먹었다."],
         points=[("바다마을 주민들이 매주 토요일 해변 쓰레기를 줍는다.", "바다마을 주민들은 매주 토요일 해변 쓰레기를 줍는다.", "바다마을 주민들이 매달 한 번 해변 쓰레기를 줍는다."),
                 ("지난여름 쓰레기가 두 배로 늘어서 시작했다.", "지난여름 쓰레기가 두 배로 늘어난 것이 계기이다.", "관광객이 줄어서 시작했다."),
                 ("첫 행사에서 80명이 300킬로그램을 모았다.", "첫 행사에서 주민 80명이 300킬로그램을 모았다.", "첫 행사에서 30명이 800킬로그램을 모았다.")],
         distractor="행사 뒤 마을 회관에서 국수를 먹었다."),
    dict(text=["가람청소년연구소가 중고생 1,000명의 수면 시간을 조사했다.", "평일 평균 수면 시간은 6시간 10분으로 권장 시간보다 2시간 짧았다.",
               "잠들기 전 휴대폰을 30분 넘게 보는 학생은 수면 시간이 더 짧았다.", "연구소는 등교 시간을 늦추는 방안을 제안했다.",
               "조사는 온라인 설문으로 두 주 동안 진행되었다."],
         points=[("중고생 평일 수면은 평균 6시간 10분으로 권장보다 2시간 짧다.", "중고생의 평일 평균 수면은 6시간 10분으로 권장보다 2시간 짧다.",
                  "중고생 평일 수면은 평균 8시간으로 충분하다."),
                 ("자기 전 휴대폰을 오래 보면 더 적게 잔다.", "자기 전 휴대폰을 오래 보는 학생은 더 적게 잔다.", "자기 전 휴대폰은 수면과 관계가 없다."),
                 ("연구소는 등교 시간을 늦추자고 제안했다.", "연구소는 등교 시간 늦추기를 제안했다.", "연구소는 야간 자율 학습을 늘리자고 제안했다.")],
         distractor="조사는 두 주 동안 온라인으로 했다."),
    dict(text=["솔내시장 상인회가 이달부터 온라인 주문을 받는다.", "주문한 물건은 당일 오후에 자전거로 배달된다.",
               "상인회는 젊은 손님을 모으고 매출을 되살리려는 뜻이라고 설명했다.", "배달비는 3만 원 이상 주문하면 무료이다.",
               "시장 입구의 낡은 간판도 곧 새로 바뀐다."],
         points=[("솔내시장이 온라인 주문을 시작했다.", "솔내시장 상인회는 온라인 주문을 시작했다.", "솔내시장이 전화 주문을 시작했다."),
                 ("주문하면 당일 오후에 자전거로 배달한다.", "주문은 당일 오후 자전거로 배달된다.", "주문하면 다음 주에 택배로 보낸다."),
                 ("3만 원 이상 사면 배달비가 무료이다.", "3만 원 이상이면 배달비가 무료이다.", "5만 원 이상 사면 배달비가 무료이다.")],
         distractor="시장 입구 간판이 새로 바뀐다."),
    dict(text=["푸른고등학교는 매주 수요일을 채식 급식의 날로 정했다.", "학생 건강과 탄소 배출 감소를 함께 생각한 결정이다.",
               "메뉴는 학생 급식 위원회와 영양 교사가 함께 정한다.", "첫 주 설문에서 학생의 70퍼센트가 만족한다고 답했다.",
               "급식실 벽에는 학생들이 그린 그림도 걸렸다."],
         points=[("푸른고는 매주 수요일 채식 급식을 한다.", "푸른고등학교는 매주 수요일을 채식 급식의 날로 정했다.", "푸른고는 매주 금요일 채식 급식을 한다."),
                 ("건강과 탄소 감축을 위한 결정이다.", "학생 건강과 탄소 배출 감소를 위한 결정이다.", "급식비를 아끼기 위한 결정이다."),
                 ("첫 주에 학생 70퍼센트가 만족했다.", "첫 주 설문에서 70퍼센트가 만족했다.", "첫 주에 학생 30퍼센트만 만족했다.")],
         distractor="급식실에 학생 그림이 걸렸다."),
]
KINDS = ("excellent", "missing", "wrong_fact", "verbose", "poor")   # one student summary of each kind per article


def score_summary(covered: int, wrong: int, verbose: bool, errors: int, length_ratio: float) -> dict:
    ("Rubric: content/40 (key points covered), accuracy/30 (wrong facts), conciseness/20 (length vs article), "
     "grammar/10 (errors).")
    content = round(40*covered/3) - (2 if verbose else 0)
    accuracy = max(0, 30 - 15*wrong)
    conciseness = 20 if length_ratio <= .6 else 14 if length_ratio <= .8 else 8
    grammar = max(0, 10 - 3*errors)
    return dict(content=content, accuracy=accuracy, conciseness=conciseness, grammar=grammar,
                total=content + accuracy + conciseness + grammar)


def _with_errors(s: str, n: int):
    "Apply up to n writing errors to sentence s; return (new sentence, errors applied)."
    k = 0
    for f in (_nospace, _drop_ss, _dwae):
        if k == n: break
        new = f(s)
        if new and new != s: s, k = new, k + 1
    return s, k


def make_summary_eval(seed: int = SEED):
    rng = random.Random(seed + 2)
    rows = []
    for a_i, art in enumerate(ARTICLES):
        article = " ".join(art["text"])
        reference = " ".join(p[1] for p in art["points"])
        for kind in KINDS:
            pts = [p[0] for p in art["points"]]
            covered, wrong, verbose, errors, fb = 3, 0, False, 0, ""
            if kind == "excellent":
                fb = "핵심 세 가지를 정확하고 간결하게 담았습니다."
                if rng.random() < .5:
                    i = rng.randrange(3); pts[i], errors = _with_errors(pts[i], 1)
                    fb = "핵심을 정확하고 간결하게 담았습니다. 띄어쓰기·맞춤법 하나만 고치세요."
            elif kind == "missing":
                drop = sorted(rng.sample(range(3), 2 if rng.random() < .4 else 1))
                fb = f"핵심 내용 {len(drop)}개가 빠졌습니다: " + "; ".join(art["points"][d][1].rstrip(".") for d in drop)
                pts = [p for i, p in enumerate(pts) if i not in drop]; covered = 3 - len(drop)
            elif kind == "wrong_fact":
                ws = sorted(rng.sample(range(3), 2 if rng.random() < .35 else 1))
                for w in ws: pts[w] = art["points"][w][2]
                wrong = len(ws)
                fb = "사실이 틀렸습니다: 기사에는 " + ", ".join(f"'{art['points'][w][1].rstrip('.')}'" for w in ws) + "라고 되어 있습니다."
            elif kind == "verbose":
                pts, verbose = art["text"][:], True                      # copied almost verbatim, distractor included
                fb = f"내용은 맞지만 기사를 거의 그대로 옮겼습니다. 부수적인 내용('{art['distractor'].rstrip('.')}')은 빼세요."
            else:  # poor: one key point, written with errors, plus a vague sentence
                covered = 1
                s1, errors = _with_errors(pts[rng.randrange(3)], rng.choice((2, 3)))
                pts = [s1, "그래서 좋은것 같다."]; errors += 1           # 좋은것: spacing error
                fb = "핵심 내용이 하나뿐이고 맞춤법·띄어쓰기 오류가 있습니다."
            student = " ".join(pts)
            ratio = len(student.replace(" ", ""))/len(article.replace(" ", ""))
            rows.append(dict(id=f"sum-{a_i+1:02d}-{kind}", article=article, student_summary=student,
                             reference_summary=reference,
                             **score_summary(covered, wrong, verbose, errors, ratio), feedback=fb))
    rng.shuffle(rows)
    return rows


# ---------------------------------------------------------------------------------------- messy sample
def make_messy() -> str:
    "A deliberately messy essay CSV for the notebook-01 exercise (CRLF, BOM, extra column, 6 bad rows)."
    rows = [["id", "question", "essay", "score", "feedback", "memo"],
            ["m1", PROMPTS["p2"]["prompt"], "나는 일회용품 사용을 줄여야 한다고 생각한다. 첫째, 플라스틱 쓰레기는 썩는 데 수백 년이 걸린다.", "4",
             "근거가 분명합니다.", ""],
            ["m2", PROMPTS["p2"]["prompt"], "환경은 중요하다고 많이 들었다.", "다섯", "", "점수를 한글로 적음"],
            ["m3", PROMPTS["p3"]["prompt"], "   ", "2", "", "본문 없음"],
            ["m4", PROMPTS["p3"]["prompt"], "책을 읽으면 어휘력과 문장력이 자란다.", "3.5", "", "반점수"],
            ["m5", PROMPTS["p1"]["prompt"], "휴대폰 알림은 수업 집중을 방해한다. 따라서 제한해야 한다.", "7", "", "만점 초과"],
            ["m1", PROMPTS["p1"]["prompt"], "수업 시간에는 휴대폰 사용을 제한하는 것이 옳다.", "3", "", "id 중복"],
            ["m7", PROMPTS["p5"]["prompt"], "선생님께 바로 질문하고 답을 들을 수 있다.", "", "", "점수 빠짐"],
            ["m8", PROMPTS["p4"]["prompt"], "봉사를 하면 다른 사람을 돕는 기쁨을 배운다. 그리고 협동심이 자란다.", "3", "", ""]]
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    return "\ufeff" + buf.getvalue() + "\r\n"          # Excel-style BOM + CRLF + a trailing blank line


# ---------------------------------------------------------------------------------------------- writing
def jsonl(rows) -> str: return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)

def csv_text(rows, fields) -> str:
    buf = io.StringIO(); w = csv.DictWriter(buf, fieldnames=fields, lineterminator="\n")
    w.writeheader(); w.writerows(rows); return buf.getvalue()

def build(seed: int = SEED) -> dict:
    "Every generated file: relative path -> text."
    train, test = make_essays(seed)
    return {"aes_sample/train.jsonl": jsonl(train), "aes_sample/test.jsonl": jsonl(test),
            "aes_sample/meta.json": json.dumps(essay_meta(train, test), ensure_ascii=False, indent=2) + "\n",
            "interview_sample.csv": csv_text(make_interview(seed), ["question", "answer", "summary"]),
            "summary_eval_sample.jsonl": jsonl(make_summary_eval(seed)),
            "messy_sample.csv": make_messy()}

def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--out", default=str(DATA), help="output data directory (default: data/)")
    p.add_argument("--check", action="store_true", help="only compare with the files on disk; exit 1 on a difference")
    a = p.parse_args(argv)
    out, files, bad = Path(a.out), build(), []
    for rel, text in files.items():
        f = out/rel
        if a.check:
            if not f.exists() or f.read_bytes() != text.encode("utf-8"): bad.append(rel)
            continue
        f.parent.mkdir(parents=True, exist_ok=True)
        tmp = f.with_name(f".{f.name}.tmp"); tmp.write_bytes(text.encode("utf-8")); tmp.replace(f)
        print(f"wrote {f.relative_to(out.parent) if out.parent in f.parents else f}")
    if bad: print("differs from the generator:", ", ".join(bad)); return 1
    if a.check: print("sample data matches the generator")
    return 0

if __name__ == "__main__": sys.exit(main())
