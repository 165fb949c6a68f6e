"""The course the benchmark runs on.

The real course file (``courseware/content/course.json``) when it is there and has enough
units; otherwise a generated course of realistic size (paragraphs of the paper's length, a
footnote, citations and glossary terms in every unit). Either way each assigned unit is topped
up with generated quiz items to ``items_per_unit`` so that 300 students × 8 units × 1–3
attempts reach the ~150,000 responses of the benchmark. Everything goes through the app's own
loader (``courseware.course_file.load``), which validates it like any course file.
"""

from __future__ import annotations

import copy
import random
from pathlib import Path

from courseware.course_file import DEFAULT_COURSE_FILE, read_course_file

MINI_COURSE = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "mini_course.json"
SEED = 6

ZH_SENTENCES = [
    "越南位於中南半島東側，北與中國接壤，長期處於大國競逐的前沿。",
    "從現實主義的觀點來看，國家在無政府狀態下必須依靠自身的力量求生存。",
    "權力平衡既可以是一種政策，也可以是一種情勢，更可以是一種國際制度。",
    "一九七八年越南與蘇聯簽訂友好合作條約，形成對中國的戰略牽制。",
    "冷戰結束之後，越南推動革新開放，積極加入東協並改善與各國的關係。",
    "南海主權爭議使越南在外交上採取陸和海爭的策略，以多邊機制抗衡中國。",
    "越南同時拉攏日本、印度與美國，藉由外交多元化分散對單一大國的依賴。",
    "面對實力懸殊的鄰國，小國往往透過聯合他國以阻止一國主導區域秩序。",
    "此一策略在經濟上帶來外資與技術，在安全上則提高了中國行動的成本。",
    "然而，過度依賴外部力量也可能使越南在大國之間失去迴旋的空間。",
]
EN_SENTENCES = [
    "Vietnam lies on the eastern side of the Indochinese peninsula and borders China to the "
    "north, which has long placed it on the front line of great-power rivalry.",
    "From the standpoint of realism, a state in an anarchic international system must rely on "
    "its own strength to survive.",
    "The balance of power can be a policy, a situation, and even a system of international order.",
    "In 1978 Vietnam signed a treaty of friendship and cooperation with the Soviet Union, which "
    "created a strategic counterweight to China.",
    "After the end of the Cold War, Vietnam pursued Doi Moi, joined ASEAN, and improved its "
    "relations with almost every state in the region.",
    "The dispute over the South China Sea led Vietnam to keep the peace on land while "
    "contesting at sea, and to bring multilateral forums to bear on China.",
    "At the same time Vietnam courted Japan, India and the United States, diversifying its "
    "relations so that it would not depend on any single great power.",
    "Faced with a far stronger neighbour, a small state often joins others to stop one state "
    "from dominating the regional order.",
    "Economically the strategy brought foreign investment and technology; in security terms it "
    "raised the cost of any Chinese action.",
    "Yet relying too much on outside powers may also leave Vietnam with little room to "
    "manoeuvre between them.",
]
UNIT_PLAN = [
    ("abstract", "section", "摘要", "Abstract", None),
    ("introduction", "section", "壹", "I", None),
    ("balance-of-power-concept", "section", "貳", "II", None),
    ("phase-1945-1975", "phase", "叁〔一、〕", "III.1", "1945–1975"),
    ("phase-1976-1986", "phase", "叁〔二、〕", "III.2", "1976–1986"),
    ("phase-1987-present", "phase", "叁〔三〕", "III.3", "1987–"),
    ("strategies", "section", "肆", "IV", None),
    ("conclusion", "conclusion", "伍", "V", None),
    ("author-abstract", "section", "Abstract", "Abstract", None),
]
TERMS = [
    ("balance-of-power", "權力平衡", "balance of power"),
    ("realism", "現實主義", "realism"),
    ("doi-moi", "革新開放", "Doi Moi"),
    ("asean", "東協", "ASEAN"),
    ("south-china-sea", "南海", "South China Sea"),
]
REFERENCES = [
    ("waltz-1979", "Waltz, 1979", "Waltz, Kenneth N. 1979. Theory of International Politics."),
    ("morgenthau-1948", "Morgenthau, 1948", "Morgenthau, Hans J. 1948. Politics among Nations."),
    ("cao-yunhua-2011", "Cao Yunhua, 2011", "曹雲華. 2011. 越南外交政策研究."),
]


def _t(zh: str, en: str) -> dict:
    return {"zh-hant": zh, "en": en}


def _paragraph(rng: random.Random, sentences: int) -> tuple[str, str]:
    picks = [rng.randrange(len(ZH_SENTENCES)) for _ in range(sentences)]
    return (
        "".join(ZH_SENTENCES[i] for i in picks),
        " ".join(EN_SENTENCES[i] for i in picks),
    )


def generated_course(*, units: int = len(UNIT_PLAN), passages_per_unit: int = 10) -> dict:
    """A course shaped like the paper: ~300 Chinese characters and ~1,000 English characters
    per paragraph, a footnote, two citations and the glossary terms in every unit."""
    rng = random.Random(SEED)
    data = copy.deepcopy(read_course_file(MINI_COURSE))
    data["course"] = {
        "slug": "bench-course",
        "title": _t(
            "越南外交政策與權力平衡（基準測試）", "Vietnam and the Balance of Power (bench)"
        ),
        "author": "Benchmark",
        "description": _t("產生的課程。", "A generated course."),
        "source": _t("產生的課程。", "A generated course."),
    }
    data["terms"] = [
        {
            "key": key,
            "term": _t(zh, en),
            "definition": _t(
                f"{zh}是本文的核心概念之一。", f"{en} is one of the paper's concepts."
            ),
            "forms": {"zh-hant": [zh], "en": [en]},
        }
        for key, zh, en in TERMS
    ]
    data["references"] = [
        {"key": key, "label": label, "entry": _t(entry, entry)} for key, label, entry in REFERENCES
    ]
    plan = (UNIT_PLAN * (units // len(UNIT_PLAN) + 1))[:units]
    data["units"] = []
    for number, (slug, kind, label_zh, label_en, period) in enumerate(plan, start=1):
        slug = slug if number <= len(UNIT_PLAN) else f"{slug}-{number}"
        passages = []
        for index in range(1, passages_per_unit + 1):
            zh, en = _paragraph(rng, rng.randint(7, 11))
            ref_key, ref_label, _entry = REFERENCES[index % len(REFERENCES)]
            citation = f"{ref_label}: {10 + index}"
            zh += f"（{citation}）"
            en += f" ({citation})"
            if index == 2:
                zh += f"[^n{number}]"
                en += f"[^n{number}]"
            passages.append(
                {
                    "key": f"{slug}-{index}",
                    "kind": "paragraph",
                    "text": _t(zh, en),
                    "citations": [{"ref": ref_key, "text": _t(citation, citation)}],
                    "terms": [
                        key for key, term_zh, term_en in TERMS if term_zh in zh or term_en in en
                    ],
                }
            )
        note_zh, note_en = _paragraph(rng, 3)
        data["units"].append(
            {
                "slug": slug,
                "kind": kind,
                "label": _t(label_zh, label_en),
                "title": _t(f"第{number}單元", f"Unit {number}"),
                **({"period": _t(period, period)} if period else {}),
                "summary": _t(*_paragraph(rng, 2)),
                "objectives": [
                    _t("說明權力平衡。", "Explain the balance of power."),
                    _t("比較各階段。", "Compare the phases."),
                ],
                "footnotes": [{"key": f"n{number}", "text": _t(note_zh, note_en)}],
                "passages": passages,
            }
        )
    used = {key for unit in data["units"] for p in unit["passages"] for key in p["terms"]}
    data["terms"] = [term for term in data["terms"] if term["key"] in used]
    data["items"] = []
    return data


KINDS = ["single", "multiple", "true_false", "ordering", "matching"]


def generated_item(key: str, unit: dict, number: int, tags: list[str], rng: random.Random):
    """A quiz item of one of the five kinds, with texts of a real item's length."""
    kind = KINDS[number % len(KINDS)]
    zh, en = _paragraph(rng, 1)
    stem = _t(f"第{number}題：{zh}這句話最符合下列哪一項？", f"Question {number}: {en} Which fits?")
    explanation = _t(*_paragraph(rng, 2))
    passage = unit["passages"][number % len(unit["passages"])]["key"]

    def text(index):
        zh, en = _paragraph(rng, 1)
        return _t(zh[: 12 + index * 3], en[: 40 + index * 6])

    if kind == "true_false":
        choices = [
            {
                "key": "true",
                "text": _t("正確", "True"),
                "correct": number % 2 == 0,
                "feedback": _t("回饋。", "Feedback."),
            },
            {
                "key": "false",
                "text": _t("錯誤", "False"),
                "correct": number % 2 == 1,
                "feedback": _t("回饋。", "Feedback."),
            },
        ]
    elif kind in ("single", "multiple"):
        correct = {0} if kind == "single" else {0, 2}
        choices = [
            {
                "key": "abcd"[index],
                "text": text(index),
                "correct": index in correct,
                "feedback": _t(*_paragraph(rng, 1)),
            }
            for index in range(4)
        ]
    elif kind == "ordering":
        choices = [{"key": "abcd"[index], "text": text(index)} for index in range(4)]
    else:
        choices = [
            {"key": "abcd"[index], "text": text(index), "match": text(index + 1)}
            for index in range(4)
        ]
    return {
        "key": key,
        "unit": unit["slug"],
        "kind": kind,
        "stem": stem,
        "choices": choices,
        "explanation": explanation,
        "passages": [passage],
        "tags": tags,
    }


def bench_course(*, units: int, items_per_unit: int) -> tuple[dict, str]:
    """The course data to load and a sentence saying where it came from."""
    if DEFAULT_COURSE_FILE.exists():
        data = read_course_file(DEFAULT_COURSE_FILE)
        if len(data["units"]) >= units:
            origin = f"`courseware/content/course.json` ({len(data['units'])} units)"
        else:
            data = None
    else:
        data = None
    if data is None:
        data = generated_course(units=max(units, len(UNIT_PLAN)))
        origin = (
            f"a generated course ({len(data['units'])} units of 10 paragraphs; "
            "`courseware/content/course.json` was not there or had fewer units)"
        )
    data.setdefault("items", [])
    rng = random.Random(SEED)
    tag_keys = [tag["key"] for tag in data.get("tags") or []]
    added = 0
    for unit in data["units"][:units]:
        have = sum(1 for item in data["items"] if item["unit"] == unit["slug"])
        for number in range(have + 1, items_per_unit + 1):
            tags = rng.sample(tag_keys, min(2, len(tag_keys)))
            data["items"].append(
                generated_item(f"bench-{unit['slug']}-q{number}", unit, number, tags, rng)
            )
            added += 1
    if added:
        origin += f"; {added} generated quiz items top each assigned unit up to {items_per_unit}"
    return data, origin
