"""The reasoning, as typed stages in the order they run:

1. ``normalise`` — the question's surface: traditional → simplified Chinese, typos in the license's terms.
2. ``norms`` — the license compiled (once, at load) into one typed statement per deontic unit.
3. ``question`` — the question read as structure: its act, polarity, asked attribute, dates, clause references.
4. ``match`` — the question's content matched to norms (dense similarity + shared words, inside retrieved clauses).
5. ``deadlines`` — dates computed from a norm's period and a day the question names (real working days).
6. ``decide`` — the explicit table act × norm kind × polarity → verdict, and the answerability checks.

Each stage is data in, data out, and has its own tests; ``assistant.engine`` runs them.
"""
