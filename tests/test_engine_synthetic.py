"""The answer engine on a second license of the same template (tests/fixtures/synthetic-license): its answers must
follow *that* license — other exclusions, dates, notice period, number and legal representative — and differ from
the answers on the real license correspondingly. Uses the real embedding model (the converted copy under
LICENSE_ASSISTANT_HOME is reused) and a Chroma index in a temp dir."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from assistant.config import IndexSettings, Settings
from assistant.engine import Assistant, answer
from assistant.schema import Answer

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = Path(__file__).resolve().parent / "fixtures" / "synthetic-license" / "license.zh.txt"
DOC = "xinghe-icp-230456"
EXPIRY = date(2028, 3, 15)
NOTICE_DAYS = 60
DEADLINE = EXPIRY - timedelta(days=NOTICE_DAYS)
REAL_DEADLINE = date(2026, 12, 28) - timedelta(days=90)
AS_OF = "2027-01-01"


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Assistant]:
    tmp = tmp_path_factory.mktemp("synthetic-engine")
    corpus = tmp / "corpus"
    (corpus / DOC).mkdir(parents=True)
    shutil.copy(FIXTURE, corpus / DOC / "license.zh.txt")
    shutil.copy(ROOT / "corpus" / "glossary.json", corpus / "glossary.json")
    shutil.copy(ROOT / "corpus" / "field_questions.json", corpus / "field_questions.json")  # of the template
    yield Assistant(Settings(corpus_dir=corpus, index=IndexSettings(dir=tmp / "index")))


def ask(assistant: Assistant, question: str, as_of: str = AS_OF) -> Answer:
    result = assistant.answer(question, as_of)
    assert result.error is None, result.error
    return result


def cited(result: Answer) -> list[str]:
    return [c.clause_id for c in result.citations]


def test_the_engine_reads_the_synthetic_license(synthetic: Assistant) -> None:
    assert synthetic.license.doc_id == DOC
    assert synthetic.license.fields.expiry == EXPIRY
    result = ask(synthetic, "What is the license number?")
    assert result.doc_id == DOC
    assert result.corpus_hash == synthetic.license.corpus_hash


def test_a_field_asked_in_everyday_words_is_the_synthetic_license_own(synthetic: Assistant) -> None:
    result = ask(synthetic, "Who's the big boss written on our permit?")
    own = synthetic.license.clause("main.legal-rep")
    assert result.verdict == "info" and cited(result) == ["main.legal-rep"], result.answer
    assert own.text_zh.split("：")[-1].strip() in result.answer


@pytest.mark.parametrize("question", ["Can we offer instant messaging?", "我们能做即时通讯吗？",
                                      "Can we add a live chat feature to our website?"])
def test_instant_messaging_is_not_excluded_on_the_synthetic_license(synthetic: Assistant, question: str) -> None:
    result = ask(synthetic, question)
    assert result.verdict != "no", result.answer
    assert result.verdict in ("yes", "conditional"), result.answer
    assert "不含信息即时交互服务" not in result.answer and "excludes instant" not in result.answer
    # the duties of 12(9) that govern it are cited
    assert "special.12.9" in cited(result)


@pytest.mark.parametrize(
    ("question", "service"),
    [
        ("Can we host an online forum?", "信息社区平台服务"),
        ("我们能开个网上论坛吗？", "信息社区平台服务"),
        ("Can we launch our own app store to distribute apps?", "应用软件发布平台服务"),
        ("我们能做应用商店吗？", "应用软件发布平台服务"),
    ],
)
def test_forum_and_app_store_are_excluded_on_the_synthetic_license(synthetic: Assistant, question: str,
                                                                   service: str) -> None:
    result = ask(synthetic, question)
    assert result.verdict == "no", result.answer
    assert "main.scope" in cited(result)
    scope = next(c for c in result.citations if c.clause_id == "main.scope")
    assert "不含" in scope.quote and service in scope.quote
    assert service in result.answer


@pytest.mark.parametrize("question", ["When does the license expire?", "许可证什么时候到期？"])
def test_expiry_follows_the_synthetic_dates(synthetic: Assistant, question: str) -> None:
    result = ask(synthetic, question)
    assert "main.expiry" in cited(result)
    assert EXPIRY.isoformat() in result.answer or "2028年3月15日" in result.answer
    assert "2026" not in result.answer


@pytest.mark.parametrize("question", ["What's the last day to apply for renewal?", "续期申请最晚什么时候提交？"])
def test_renewal_deadline_follows_the_synthetic_notice_period(synthetic: Assistant, question: str) -> None:
    result = ask(synthetic, question)
    assert {"special.10", "main.expiry"} <= set(cited(result)), cited(result)
    assert DEADLINE == date(2028, 1, 15)
    assert DEADLINE.isoformat() in result.answer or "2028年1月15日" in result.answer
    assert "60" in result.answer and "90" not in result.answer
    assert REAL_DEADLINE.isoformat() not in result.answer


def test_renewal_status_is_computed_for_the_as_of_date(synthetic: Assistant) -> None:
    late = ask(synthetic, "Have we passed the renewal application deadline?", "2028-01-20")
    assert "passed" in late.answer and "5 days ago" in late.answer
    early = ask(synthetic, "Have we passed the renewal application deadline?", "2028-01-10")
    assert "5 days left" in early.answer


def test_renewal_status_gets_a_yes_or_no_from_the_synthetic_dates(synthetic: Assistant) -> None:
    assert ask(synthetic, "Have we passed the renewal application deadline?", "2028-01-20").verdict == "yes"
    assert ask(synthetic, "Have we passed the renewal application deadline?", "2028-01-10").verdict == "no"


def test_report_deadline_counts_the_synthetic_five_working_days(synthetic: Assistant) -> None:
    # Fri 2026-09-25 + 5 working days over the National Day holiday (Oct 1–7) is Fri 2026-10-09; the real
    # license's 10 working days would give 2026-10-15
    result = ask(synthetic, "We removed illegal posts on 2026-09-25. By when must we report it?")
    assert "2026-10-09" in result.answer and "2026-10-15" not in result.answer
    assert "special.8" in cited(result)


@pytest.mark.parametrize(("question", "verdict"), [
    ("可以不配备用户投诉受理人员吗？", "no"),          # a duty of the synthetic license (its special.4), negated
    ("Can we offer an app store?", "no"),             # excluded by the synthetic scope
    ("我们能做即时通讯吗？", "yes"),                    # not excluded there
])
def test_polarity_and_scope_follow_the_synthetic_norms(synthetic: Assistant, question: str, verdict: str) -> None:
    assert ask(synthetic, question).verdict == verdict


@pytest.mark.parametrize("question", ["What is the license number?", "许可证编号是多少？"])
def test_license_number_is_the_synthetic_one(synthetic: Assistant, question: str) -> None:
    result = ask(synthetic, question)
    assert "沪ICP证230456号" in result.answer
    assert "京ICP证020001号" not in result.answer
    assert cited(result) == ["main.number"]


@pytest.mark.parametrize("question", ["Who is the legal representative?", "法定代表人是谁？"])
def test_legal_representative_is_the_synthetic_one(synthetic: Assistant, question: str) -> None:
    result = ask(synthetic, question)
    assert "王敏" in result.answer and "李翊" not in result.answer
    assert cited(result) == ["main.legal-rep"]


def test_citations_exist_in_the_synthetic_license(synthetic: Assistant) -> None:
    for question in ("Can we offer instant messaging?", "Can we host an online forum?",
                     "What's the last day to apply for renewal?", "我们需要多久内上报违法信息？"):
        result = ask(synthetic, question)
        for citation in result.citations:
            assert synthetic.license.has(citation.clause_id), citation.clause_id
            assert citation.quote in synthetic.license.clause(citation.clause_id).text_zh
        assert not any(c.clause_id.startswith(("special.13", "special.15")) for c in result.citations)


# -- the real license, default settings: the same questions answer the other way ---------------------------------


@pytest.mark.parametrize("question", ["Can we offer instant messaging?", "我们能做即时通讯吗？"])
def test_instant_messaging_is_excluded_on_the_real_license(question: str) -> None:
    result = answer(question, AS_OF)
    assert result.doc_id == "kongzhong-icp-020001"
    assert result.verdict == "no", result.answer
    assert "main.scope" in cited(result)


def test_real_license_renewal_deadline_differs() -> None:
    result = answer("What's the last day to apply for renewal?", AS_OF)
    assert REAL_DEADLINE.isoformat() in result.answer
    assert DEADLINE.isoformat() not in result.answer
    assert "special.12" in cited(result)
