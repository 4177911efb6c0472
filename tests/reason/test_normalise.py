"""Surface normalisation: traditional → simplified, full-width → ASCII, typos towards the license's words only."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.corpus import load_license
from assistant.reason.normalise import Speller, normalise

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def speller() -> Speller:
    return Speller(load_license(ROOT / "corpus", "kongzhong-icp-020001"))


@pytest.mark.parametrize(("raw", "clean"), [
    ("請問許可證什麼時候要續期？", "请问许可证什么时候要续期？"),
    ("can we run a serch engin?", "can we run a search engine?"),
    ("whats the liscense numbr?", "what's the license number?"),
    ("ＩＣＰ证号是多少", "ICP证号是多少"),
    ("Can we do web hosting for clients?", "Can we do web hosting for clients?"),  # real words stay
    ("Can we open a bakery?", "Can we open a bakery?"),
    # a three-letter slip becomes a word the question's form needs, and nothing else
    ("do we hav to file it?", "do we have to file it?"),
    ("can an isp host us? ppl ask", "can an isp host us? people ask"),
    ("do the pre-launch checks cover non-EU users?", "do the pre-launch checks cover non-EU users?"),  # prefixes
    # chat shorthand for whole words, in English text only; a capital letter alone is no shorthand
    ("r we allowed to charge extra??", "are we allowed to charge extra??"),
    ("is it still valid rn", "is it still valid right now"),
    ("Our R&D team asks: can u host it?", "Our R&D team asks: can you host it?"),
    ("我们 r 可以吗", "我们 r 可以吗"),
    ("data leak last nite, must we report it n by when", "data leak last night, must we report it and by when"),
    ("annual lic report q1 or q4", "annual license report q1 or q4"),
    # Taiwan's words made the mainland's when the text is traditional; simplified text is left as it is
    ("我們可以做網頁搜尋引擎嗎？", "我们可以做网页搜索引擎吗？"),
    ("我们可以做即时通讯吗", "我们可以做即时通讯吗"),
    # idioms whose numbers count nothing are said plainly; a real period stays
    ("这个账号三天两头发广告，怎么处理？", "这个账号经常发广告，怎么处理？"),
    ("客户三番五次投诉", "客户屡次投诉"),
    ("三天内要报告吗", "三天内要报告吗"),
])
def test_normalise(speller: Speller, raw: str, clean: str) -> None:
    assert normalise(raw, speller) == clean


def test_contractions_are_not_spelling_mistakes(speller: Speller) -> None:
    assert normalise("Is it true that www.x.org doesn't appear?", speller) == "Is it true that www.x.org doesn't appear?"


def test_british_spellings_become_the_glossarys(speller: Speller) -> None:
    assert normalise("What is our licence number?", speller) == "What is our license number?"
    assert normalise("Licence holders must be authorised", speller) == "License holders must be authorized"
    assert normalise("the licensee's centre", speller) == "the licensee's center"  # a word that only starts alike stays
