/* The book's search ranking (book/_ext/course_search.py explains it). Sphinx puts this file into
   language_data.js (html_search_scorer); searchtools.js calls Scorer.score for every result. */

const CourseSearch = {
  TITLE: 2, // a query word in the page's title adds this to its weight in the page
  HEADING: 0.5, // in one of its headings (not the title)
  K1: 1.2, // BM25's usual constants
  B: 0.75,
  OTHER_PAGES: 0.7, // glossary, cheat sheet, guide: below a notebook of equal weight
  _for: null,
  _scores: null,

  // The query's words as Sphinx searches them: split, lower case, stop words and numbers out, stemmed.
  queryStems: (query) => {
    const stemmer = new Stemmer();
    const words = splitQuery(query.toLowerCase().trim())
      .filter((word) => stopwords.indexOf(word) === -1 && !word.match(/^\d+$/));
    return [...new Set(words.map((word) => stemmer.stemWord(word)))];
  },

  // One BM25 score per page of the book, for the current query.
  pageScores: () => {
    const query = new URLSearchParams(window.location.search).get("q") || "";
    if (CourseSearch._for === query) return CourseSearch._scores;
    const index = Search._index;
    const pages = index.docnames.length;
    const counts = index.course_tf || {};
    const measured = (index.course_lengths || []).filter((length) => length > 0);
    const average = measured.length ? measured.reduce((a, b) => a + b, 0) / measured.length : 1;
    const stemmer = new Stemmer();
    const pageTitleStems = index.titles.map((title) => new Set(
      splitQuery(title.replace(/<[^>]+>/g, "").toLowerCase()).map((w) => stemmer.stemWord(w))));
    const asList = (files) => (files === undefined ? [] : Array.isArray(files) ? files : [files]);
    const scores = new Array(pages).fill(0);
    for (const stem of CourseSearch.queryStems(query)) {
      const inBody = new Set(asList(index.terms[stem]));
      const inHeading = new Set(asList(index.titleterms[stem]));
      const found = new Set([...inBody, ...inHeading]).size;
      if (!found) continue;
      const rarity = Math.log(1 + (pages - found + 0.5) / (found + 0.5));
      for (let page = 0; page < pages; page++) {
        const inTitle = pageTitleStems[page].has(stem);
        if (!inBody.has(page) && !inHeading.has(page)) continue;
        const frequency = (counts[stem] && counts[stem][page]) || 1;
        const length = (index.course_lengths || [])[page] || average;
        const norm = CourseSearch.K1 * (1 - CourseSearch.B + CourseSearch.B * length / average);
        const inText = frequency * (CourseSearch.K1 + 1) / (frequency + norm); // from 0 to 2.2
        const inHeadings = inTitle ? CourseSearch.TITLE : inHeading.has(page) ? CourseSearch.HEADING : 0;
        scores[page] += rarity * (inText + inHeadings);
      }
    }
    index.docnames.forEach((docname, page) => {
      if (!docname.startsWith("notebooks/")) scores[page] *= CourseSearch.OTHER_PAGES;
    });
    CourseSearch._for = query;
    CourseSearch._scores = scores;
    return scores;
  },

  // result: [docname, title, anchor, description, Sphinx's score, filename]
  score: (result) => {
    const [docname, , anchor, description, sphinxScore] = result;
    const page = Search._index.docnames.indexOf(docname);
    if (description || page < 0) return sphinxScore; // objects keep Sphinx's score
    const scores = CourseSearch.pageScores();
    // A glossary definition: just after the best page, less when the query is only part of the term.
    if (anchor.startsWith("#term-")) return 0.9 * Math.max(...scores) * Math.min(sphinxScore, 100) / 100;
    // Sphinx's own score, a thousandth as heavy, only breaks ties (e.g. words matched in part only).
    if (anchor) return 0.95 * scores[page] + sphinxScore / 1000; // a section: just after its page
    return scores[page] + sphinxScore / 1000;
  },
};

var Scorer = {
  // Sphinx's own weights, still used for objects (this book has none) and by its partial matching.
  objNameMatch: 11,
  objPartialMatch: 6,
  objPrio: { 0: 15, 1: 5, 2: -5 },
  objPrioDefault: 0,
  title: 15,
  partialTitle: 7,
  term: 5,
  partialTerm: 2,
  score: CourseSearch.score,
};
