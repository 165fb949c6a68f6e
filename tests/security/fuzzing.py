"""Hypothesis strategies for hostile form posts: bodies, URL ids, encodings."""

from __future__ import annotations

import copy
from urllib.parse import quote_from_bytes

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from .conftest import env_int

# Examples per POST endpoint and per loader strategy; SECURITY_FUZZ_EXAMPLES raises it for a
# longer hunt (the default keeps the whole security suite at a few minutes).
EXAMPLES = env_int("SECURITY_FUZZ_EXAMPLES", 40)
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,  # nothing written into the working tree; failures print their seed
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

BIG = 100_000
# Strings that have broken web apps before: NUL, lone surrogates (sent as raw bytes: no
# valid UTF-8 encodes them), bidirectional controls, non-characters, markup, SQL, paths.
EDGE_STRINGS = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\ud800",
    "x\udfffy",
    "\u202eevil\u202c",
    "\u200f\u200e",
    "\ufeff",
    "\uffff",
    "\U0010ffff",
    "😀",
    "ＡＢＣ１２３",
    "權力平衡",
    "e\u0301",
    "\r\n",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "%00",
    "../../etc/passwd",
    "null",
    "[]",
    "{}",
    "-1",
    "0",
    "1e309",
    "NaN",
    "9" * 30,
    "18446744073709551616",
    "2026-02-30T25:61",
    "0000-00-00T00:00",
    "9999-12-31T23:59",
]
HUGE_STRINGS = st.builds(
    lambda unit, count: unit * count,
    st.sampled_from(["a", "字", "\x00", "\u202e", "😀"]),
    st.integers(min_value=1_000, max_value=BIG),
)
UNKNOWN_IDS = [0, 1, 999_999, 2**31, 2**63 - 1, 2**63, 10**30]
# Digits that are not ASCII. int() reads the decimal ones of every script ("٣", "３", "𝟙")
# and refuses the others that str.isdigit() accepts ("²", "①"): one of those as an ordering
# position was a 500 (#12).
ODD_DIGITS = ["²", "³", "¹", "①", "⑩", "٣", "３", "𝟙", "߁", "০", "〇", "五", "Ⅻ", "½"]


def number_texts() -> st.SearchStrategy[str]:
    """Texts a form field for a whole number may receive: small numbers, signs and spaces,
    digits of other scripts and number characters int() refuses (Unicode categories Nd, No,
    Nl), ids past 64 bits, and more digits than int() reads (4,300)."""
    return st.one_of(
        st.integers(min_value=-2, max_value=9).map(str),
        st.sampled_from(ODD_DIGITS),
        st.text(st.characters(categories=["Nd", "No", "Nl"]), min_size=1, max_size=3),
        st.sampled_from([" 1", "1 ", "+1", "01", "1.0", "1_0", "1e3", "0x1", str(2**63), "9" * 30]),
        st.integers(min_value=2**63 - 2).map(str),
        st.builds(
            lambda digit, count: digit * count,
            st.sampled_from(["1", "9", "٣"]),
            st.integers(min_value=19, max_value=6_000),
        ),
    )


def any_text() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(EDGE_STRINGS),
        st.text(max_size=40),
        st.text(st.characters(codec=None, categories=["Cs", "Cc", "Cf", "Co", "Zs"]), max_size=20),
        st.integers().map(str),
        st.floats().map(str),
        number_texts(),
        HUGE_STRINGS,
    )


def value_for(meaningful: st.SearchStrategy | None) -> st.SearchStrategy[str]:
    """Usually something that fits the field, often anything at all."""
    if meaningful is None:
        return any_text()
    return st.one_of(meaningful, meaningful, any_text())


@st.composite
def form_pairs(draw, fields: dict[str, st.SearchStrategy | None]) -> list[tuple[str, str]]:
    """(name, value) pairs: known fields (some left out, some repeated) and unknown ones."""
    pairs = []
    for name, meaningful in fields.items():
        for _repeat in range(draw(st.sampled_from([0, 1, 1, 1, 1, 2, 3]))):
            pairs.append((name, draw(value_for(meaningful))))
    unknown = st.one_of(st.sampled_from(["id", "pk", "student", "user", "score"]), any_text())
    for _extra in range(draw(st.integers(min_value=0, max_value=3))):
        name = draw(unknown.filter(lambda n: n != "csrfmiddlewaretoken"))
        pairs.append((name, draw(any_text())))
    if draw(st.integers(min_value=0, max_value=30)) == 0:  # past DATA_UPLOAD_MAX_NUMBER_FIELDS
        pairs += [("many", "x")] * 1_001
    draw(st.randoms()).shuffle(pairs)
    return pairs


def _bytes(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


def encode_urlencoded(pairs) -> bytes:
    return b"&".join(
        quote_from_bytes(_bytes(name)).encode() + b"=" + quote_from_bytes(_bytes(value)).encode()
        for name, value in pairs
    )


BOUNDARY = "fuzzBoUnDaRy7c1e"


def encode_multipart(pairs) -> bytes:
    parts = []
    for name, value in pairs:
        parts.append(
            b"--" + BOUNDARY.encode() + b"\r\n"
            b'Content-Disposition: form-data; name="' + _bytes(name) + b'"\r\n\r\n' + _bytes(value)
        )
    return b"\r\n".join(parts + [b"--" + BOUNDARY.encode() + b"--\r\n"])


@st.composite
def bodies(draw, fields) -> tuple[bytes, str]:
    """(raw body, content type): mostly forms as browsers send them, sometimes not forms."""
    pairs = draw(form_pairs(fields))
    kind = draw(st.sampled_from(["urlencoded"] * 6 + ["multipart"] * 3 + ["json", "none"]))
    if kind == "urlencoded":
        return encode_urlencoded(pairs), "application/x-www-form-urlencoded"
    if kind == "multipart":
        return encode_multipart(pairs), f"multipart/form-data; boundary={BOUNDARY}"
    if kind == "json":
        return _bytes(repr(dict(pairs))), "application/json"
    return _bytes("&".join(f"{n}={v}" for n, v in pairs)), ""


def ids(own: list[int], others: list[int]) -> st.SearchStrategy[int]:
    """An id of one's own object, of someone else's, or of nothing at all."""
    return st.one_of(st.sampled_from(own), st.sampled_from(others), st.sampled_from(UNKNOWN_IDS))


# --- JSON documents: the course file, class files ---------------------------------------

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(),
    st.sampled_from(EDGE_STRINGS),
    st.text(max_size=20),
)
JSON_VALUES = st.recursive(
    SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=3),
        st.dictionaries(st.text(max_size=8), children, max_size=3),
    ),
    max_leaves=6,
)


def scalars_in(value, found=None) -> list:
    found = [] if found is None else found
    if isinstance(value, dict):
        for key, item in value.items():
            found.append(key)
            scalars_in(item, found)
    elif isinstance(value, list):
        for item in value:
            scalars_in(item, found)
    else:
        found.append(value)
    return found


@st.composite
def container_in(draw, data):
    """A dict or list somewhere in ``data``, reached by a random walk from the top."""
    node = data
    while True:
        children = [node[key] for key in sorted(node)] if isinstance(node, dict) else list(node)
        containers = [child for child in children if isinstance(child, dict | list)]
        if not containers or draw(st.integers(min_value=0, max_value=3)) == 0:
            return node
        node = draw(st.sampled_from(containers))


def string_slots(value, found=None) -> list[tuple]:
    """(container, key) of every string value: the places an editor changes text."""
    found = [] if found is None else found
    items = value.items() if isinstance(value, dict) else enumerate(value)
    for key, item in items:
        if isinstance(item, str):
            found.append((value, key))
        elif isinstance(item, dict | list):
            string_slots(item, found)
    return found


@st.composite
def mutated(draw, original: dict) -> dict:
    data = copy.deepcopy(original)
    elsewhere = scalars_in(original)
    replacement = st.one_of(JSON_VALUES, st.sampled_from(elsewhere))
    for _step in range(draw(st.integers(min_value=1, max_value=3), label="mutations")):
        if draw(st.booleans()):
            # An edit of some text, as a translator makes: odd characters, the text still there.
            slots = string_slots(data)
            container, key = draw(st.sampled_from(slots))
            text = container[key]
            container[key] = draw(
                st.one_of(
                    st.sampled_from(EDGE_STRINGS).map(lambda edge, text=text: text + edge),
                    st.text(min_size=1, max_size=30),
                    st.sampled_from(elsewhere).map(str),
                    # A key with a line break after it; a text past its column's length.
                    st.just(text + "\n"),
                    st.integers(1, 400).map(lambda n, text=text: text + "長" * n),
                )
            )
            continue
        node = draw(container_in(data))
        if isinstance(node, dict):
            keys = sorted(node)
            operation = draw(st.sampled_from(["delete", "replace", "add", "rename"]))
            if operation == "add" or not keys:
                node[
                    draw(st.one_of(st.text(max_size=8), st.sampled_from(elsewhere[:50]).map(str)))
                ] = draw(replacement)
                continue
            key = draw(st.sampled_from(keys))
            if operation == "delete":
                del node[key]
            elif operation == "replace":
                node[key] = draw(replacement)
            else:
                node[draw(st.text(max_size=8))] = node.pop(key)
        else:
            operation = draw(st.sampled_from(["delete", "duplicate", "insert", "swap", "clear"]))
            if operation == "insert" or not node:
                node.insert(draw(st.integers(0, len(node))), draw(replacement))
                continue
            index = draw(st.integers(0, len(node) - 1))
            if operation == "delete":
                del node[index]
            elif operation == "duplicate":
                node.insert(index, copy.deepcopy(node[index]))
            elif operation == "swap":
                other = draw(st.integers(0, len(node) - 1))
                node[index], node[other] = node[other], node[index]
            else:
                node.clear()
    return data
