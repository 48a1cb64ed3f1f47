"""Sphinx extension: the book's search ranks a notebook first for its own topic.

Sphinx's search scores a page by whether each word of the query occurs in it at all (in a title, or
anywhere), so for "egress cost" every page that mentions both words ties, and the tie is broken by
the alphabet. Here each page is scored the way search engines score documents, after BM25
(Robertson and Zaragoza, "The Probabilistic Relevance Framework: BM25 and Beyond", 2009): for each
query word, how often it occurs in the page relative to the page's length (saturating, so a long
page can't win by repetition alone), plus a fixed weight when the word is in the page's title (2)
or one of its headings (0.5), all times how rare the word is across the book (a word on every page,
like "egress" here, weighs little). Pages other than notebooks (glossary, cheat sheet, instructor
guide) count 0.7 of their score, so a notebook comes first for its own topic; a glossary
definition of the query ranks just after the best page, a section just after its page.

The counts come from the same words Sphinx indexes (its word collector and stemmer, over each
page's doctree) and are added to ``searchindex.js`` as ``course_tf`` (stem -> {page: count}, for
counts of 2 or more; 1 is implied by Sphinx's own index) and ``course_lengths`` (words per page).
The ranking itself is ``course_search.js``, given to Sphinx as its ``html_search_scorer``.

Snippets: Sphinx shows, under each result, text around the query taken from the page's main
element, which in this theme starts with the page's table of contents and buttons; ``course.js``
takes it from the article instead, leaves out cell outputs, and centres it where most of the query's
words are.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

SCORER = Path(__file__).resolve().parent / "course_search.js"


def _use_the_scorer(app, config) -> None:
    config.html_search_scorer = str(SCORER)


def _count_words(app, pagename, templatename, context, doctree) -> None:
    indexer = getattr(app.builder, "indexer", None)
    if indexer is None or doctree is None:
        return
    words = indexer._word_collector(doctree).words  # Sphinx's own collector: what it indexes
    counts: Counter[str] = Counter()
    for word in words:
        stemmed = indexer.lang.stem(word).lower()
        if not indexer.lang.word_filter(stemmed) and indexer.lang.word_filter(word):
            stemmed = word
        if indexer.lang.word_filter(stemmed):
            counts[stemmed] += 1
    if not hasattr(app, "course_word_counts"):
        app.course_word_counts = {}
    app.course_word_counts[pagename] = (len(words), counts)


def _add_counts_to_the_index(app, exception) -> None:
    counts = getattr(app, "course_word_counts", None)
    index_file = Path(app.outdir) / "searchindex.js"
    if exception is not None or not counts or not index_file.exists():
        return
    script = index_file.read_text(encoding="utf-8")
    start, end = script.index("(") + 1, script.rindex(")")
    index = json.loads(script[start:end])
    tf: dict[str, dict[str, int]] = {}
    lengths = []
    for number, docname in enumerate(index["docnames"]):
        length, words = counts.get(docname, (0, Counter()))
        lengths.append(length)
        for stem, count in sorted(words.items()):
            if count > 1:
                tf.setdefault(stem, {})[str(number)] = count
    index["course_tf"] = dict(sorted(tf.items()))
    index["course_lengths"] = lengths
    body = json.dumps(index, separators=(",", ":"), sort_keys=True, ensure_ascii=False)
    index_file.write_text(script[:start] + body + script[end:], encoding="utf-8")


def setup(app):
    app.connect("config-inited", _use_the_scorer)
    app.connect("html-page-context", _count_words)
    app.connect("build-finished", _add_counts_to_the_index)
    # The counts are gathered page by page in one process, from the pages written in this build
    # (`make book` writes them all); a page without counts is scored by Sphinx's own index alone.
    return {"parallel_read_safe": True, "parallel_write_safe": False}
