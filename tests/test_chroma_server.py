"""Server mode against a real ``chroma run`` on loopback: index through it, query through ``ClauseRetriever``; and
``license-assistant model path`` prints a directory that ``SentenceTransformer`` loads."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from assistant.cli import app
from assistant.config import IndexSettings, Settings, get_settings
from assistant.corpus import load_license
from assistant.embeddings import load_embeddings
from assistant.index import chroma_client, open_index
from assistant.retrieval import ClauseRetriever
from assistant.warm import state_from_store

pytestmark = pytest.mark.slow

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
CHROMA = Path(sys.executable).with_name("chroma")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """A real Chroma server on a free loopback port, up once its heartbeat answers; terminated afterwards."""
    executable = str(CHROMA) if CHROMA.exists() else shutil.which("chroma")
    if executable is None:
        pytest.skip("the `chroma` executable (chromadb's CLI) is not installed in this environment")
    tmp, port = tmp_path_factory.mktemp("chroma-server"), _free_port()
    log = (tmp / "server.log").open("w")
    server = subprocess.Popen([executable, "run", "--path", str(tmp / "data"), "--host", "127.0.0.1",
                               "--port", str(port)], stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, (tmp / "server.log").read_text()
            try:
                if httpx.get(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "chroma run gave no heartbeat within 60 s"
            time.sleep(0.2)
        yield port
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


def test_index_and_query_through_a_chroma_server(chroma_server: int, tmp_path: Path) -> None:
    settings = Settings(corpus_dir=CORPUS, index=IndexSettings(dir=tmp_path / "unused", chroma_host="127.0.0.1",
                                                               chroma_port=chroma_server))
    lic, embeddings = load_license(CORPUS), load_embeddings(settings)
    store, report = open_index(lic, settings, embeddings, progress=False)
    assert report.location == f"http://127.0.0.1:{chroma_server}"
    assert (report.documents, report.reused) == (84, False)
    assert not (tmp_path / "unused").exists()  # nothing went to the embedded store
    assert report.collection in {c.name for c in chroma_client(settings).list_collections()}
    assert open_index(lic, settings, embeddings, progress=False)[1].reused

    retriever = ClauseRetriever(lic, state_from_store(lic, store, report), embeddings, settings.retrieval)
    for question in ("Can we offer instant messaging?", "我们可以做即时通讯吗？"):
        for name in ("hybrid", "dense"):
            top3 = [hit.clause_id for hit in retriever.search(question, name)[:3]]
            assert {"main.scope", "special.15.14"} & set(top3), (question, name, top3)


@pytest.fixture
def default_settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv("LICENSE_ASSISTANT_EMBEDDING__MODEL", raising=False)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_model_path_loads_with_sentence_transformers(default_settings: None) -> None:
    from sentence_transformers import SentenceTransformer

    result = CliRunner().invoke(app, ["model", "path"])
    assert result.exit_code == 0, result.output
    path = Path(result.stdout.strip())
    assert path.is_dir() and (path / "modules.json").exists()
    model = SentenceTransformer(str(path), device="cpu")
    query, related, unrelated = model.encode(["query: 即时通讯", "passage: 信息即时交互服务", "passage: 公司名称"],
                                             normalize_embeddings=True)
    assert query.shape == (384,)
    assert float(query @ related) > float(query @ unrelated) + 0.03
