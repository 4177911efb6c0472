"""The Chroma index: the zh and the en text of every clause, in collections named by fingerprint and generation.

The collection name carries a fingerprint of corpus, model and settings, so a change builds a new index and the
same inputs reuse the old one; a rebuild adds a generation that processes switch to (:mod:`.generations`). The embedded store lives under ``index/``; settings may point at a Chroma server
(``chroma run``) instead, which is what several processes should share (the embedded store is not safe for two
processes writing at once, so building also takes a file lock).

Each document carries, after its text, the glossary terms (with the words people use for them) that the clause
mentions, so "expire" or 「哪家公司」 reach a clause that only says 「有效期至」 or 「公司名称」.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from dataclasses import dataclass

from chromadb.api.models.Collection import Collection
from langchain_chroma import Chroma
from langchain_core.documents import Document
from pydantic import BaseModel
from rich.progress import Progress

from . import generations
from .config import Settings
from .corpus import GlossaryEntry, License, match_key
from .embeddings import LicenseEmbeddings
from .errors import StoreError

INDEX_FORMAT = "2"  # bump when the document layout below changes
#: A glossary entry found in at least this share of the clauses (the license's own name, the regulator) tells
#: clauses apart no better than a stop word; its terms are neither added to documents nor to queries.
GENERIC_SHARE = 0.2
SPACE = "cosine"  # Chroma distance; similarity = 1 - distance


class IndexReport(BaseModel):
    model: str
    dims: int
    clauses: int
    documents: int
    fingerprint: str
    collection: str
    location: str
    reused: bool
    seconds: float


@dataclass(frozen=True)
class ClauseTerms:
    """The glossary entries each clause mentions (in its zh or en text), generic ones left out."""

    generic: frozenset[str]
    by_clause: dict[str, list[GlossaryEntry]]


_TERMS: dict[tuple[str, str], ClauseTerms] = {}


def _mentioned(entry: GlossaryEntry, texts: list[str]) -> int:
    """In how many ``match_key`` texts any of the entry's words occurs (Latin words whole, as the glossary
    matches them); a substring test first, since most terms are Chinese and most texts lack them."""
    terms = [(k, re.compile(rf"(?<![a-z0-9]){re.escape(k)}(?![a-z0-9])") if re.search(r"[a-z0-9]", k) else None)
             for k in {match_key(t) for t in entry.terms() if t.strip()}]
    return sum(any(k in text and (p is None or p.search(text)) for k, p in terms) for text in texts)


def clause_terms(lic: License) -> ClauseTerms:
    """Computed once per license version. Genericness counts every occurrence of an entry's words, also inside a
    longer term ("license" in "license number"), since that is how often a question's word would match."""
    key = (lic.doc_id, lic.corpus_hash)
    if key not in _TERMS:
        texts = [match_key(f"{c.text_zh}\n{c.text_en}") for c in lic.clauses]
        generic = frozenset(e.id for e in lic.glossary.entries
                            if _mentioned(e, texts) >= GENERIC_SHARE * len(texts))
        by_clause = {c.id: list({e.id: e for text in (c.text_zh, c.text_en) for e, _ in lic.glossary.matches(text)
                                 if e.id not in generic}.values()) for c in lic.clauses}
        _TERMS[key] = ClauseTerms(generic, by_clause)
    return _TERMS[key]


def clause_documents(lic: License) -> list[Document]:
    """Two documents per clause (zh, en): label, text, then the clause's glossary terms in that language, with
    the metadata retrieval collapses on."""
    terms = clause_terms(lic).by_clause
    docs = []
    for c in lic.clauses:
        for lang, label, text in (("zh", c.label_zh, c.text_zh), ("en", c.label_en, c.text_en)):
            if text:
                key = f"{lic.doc_id}:{c.id}:{lang}"
                words = " ".join(dict.fromkeys(t for e in terms[c.id] for t in e.terms(lang)))
                docs.append(Document(
                    id=key, page_content=f"{label}\n{text}\n{words}".rstrip(),
                    metadata={"doc_id": lic.doc_id, "clause_id": c.id, "lang": lang, "section": c.section,
                              "key": key},
                ))
    return docs


def fingerprint(lic: License, settings: Settings, embeddings: LicenseEmbeddings) -> str:
    """Everything the stored vectors depend on: the documents themselves, the model and how it embeds."""
    documents = hashlib.sha256(json.dumps([(d.id, d.page_content, d.metadata) for d in clause_documents(lic)],
                                          ensure_ascii=False, sort_keys=True).encode()).hexdigest()
    parts = [INDEX_FORMAT, lic.doc_id, lic.corpus_hash, documents, settings.embedding.model,
             embeddings.query_prefix, embeddings.passage_prefix, str(embeddings.dimensions), embeddings.dtype]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:12]


def chroma_client(settings: Settings):
    """Embedded PersistentClient by default, HttpClient when a server host is configured."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.index.chroma_host:
        return chromadb.HttpClient(host=settings.index.chroma_host, port=settings.index.chroma_port,
                                   settings=chroma_settings)
    settings.index.dir.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(settings.index.dir), settings=chroma_settings)


def _location(settings: Settings) -> str:
    if settings.index.chroma_host:
        return f"http://{settings.index.chroma_host}:{settings.index.chroma_port}"
    return str(settings.index.dir)


def open_index(lic: License, settings: Settings, embeddings: LicenseEmbeddings,
               *, rebuild: bool = False, progress: bool = True) -> tuple[Chroma, IndexReport]:
    """Open the newest complete generation for these inputs, building one (with a progress bar) when there is
    none or on ``rebuild`` — which also recovers an unreadable store (see :mod:`assistant.generations`)."""
    started = time.perf_counter()
    fp = fingerprint(lic, settings, embeddings)
    docs = clause_documents(lic)
    prefix = settings.index.collection_prefix
    client = generations.open_client(settings, recover=rebuild)

    def current(rebuild: bool = False) -> tuple[Collection, bool]:
        """The collection to answer from and whether it was reused; a build holds the lock."""
        with generations.store_errors(settings):
            # a private snapshot (read-only dir) has no writer in flight: any failure there is real
            look = generations.newest_complete if generations.is_read_only(settings) else generations.peek_complete
            found = None if rebuild else look(client, prefix, fp, len(docs))
            if found is not None:
                return found, True
            if generations.is_read_only(settings):
                raise StoreError(f"the index at {settings.index.dir} is read-only and holds no complete index "
                                 f"for these inputs (fingerprint {fp}); build it with `license-assistant index` "
                                 "where it is writable")
            with generations.build_lock(settings):
                found = None if rebuild else generations.newest_complete(client, prefix, fp, len(docs))
                if found is not None:
                    return found, True
                name = generations.collection_name(prefix, fp, generations.next_generation(client, prefix, fp))
                store = Chroma(client=client, collection_name=name, embedding_function=embeddings,
                               collection_metadata={"hnsw:space": SPACE, "built_at": time.time()})
                _add_with_progress(store, docs, settings.embedding.batch_size, progress)
                generations.prune(client, settings, fp, len(docs))
                return store._collection, False

    collection, reused = current(rebuild)
    store = generations.LiveStore(client, generations.Following(collection, lambda: current()[0], settings),
                                  embeddings)
    report = IndexReport(model=settings.embedding.model, dims=embeddings.dimensions, clauses=len(lic.clauses),
                         documents=len(docs), fingerprint=fp, collection=collection.name,
                         location=_location(settings), reused=reused, seconds=round(time.perf_counter() - started, 3))
    return store, report


def _add_with_progress(store: Chroma, docs: list[Document], batch: int, progress: bool) -> None:
    with Progress(transient=True, disable=not progress) as bar:
        task = bar.add_task("Building the clause index", total=len(docs))
        for i in range(0, len(docs), batch):
            chunk = docs[i:i + batch]
            store.add_documents(chunk, ids=[d.id for d in chunk])
            bar.advance(task, len(chunk))
