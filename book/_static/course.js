/* The course's small additions to the book's pages (book/_ext/course_reading.py and
   course_search.py say why). Loaded with `defer`: it runs after the theme's scripts. */
"use strict";

/* Each solution's toggle button says which solution it opens: "Click to show: Solution to
   Exercise 1.2" (the theme names every one "Toggle hidden content"). The visible hint ("Click to
   show", "Click to hide") starts the name, as WCAG 2.5.3 (label in name) asks. */
function courseNameToggleButtons() {
  for (const button of document.querySelectorAll(".admonition .toggle-button")) {
    const title = button.closest(".admonition-title");
    if (!title) continue;
    const copy = title.cloneNode(true);
    copy.querySelectorAll(".toggle-button").forEach((element) => element.remove());
    const what = copy.textContent.replace(/\s+/g, " ").trim();
    const name = () => button.setAttribute("aria-label", `${button.dataset.toggleHint}: ${what}`);
    name();
    new MutationObserver(name).observe(button, { attributes: true, attributeFilter: ["data-toggle-hint"] });
  }
}
document.addEventListener("DOMContentLoaded", courseNameToggleButtons);

/* Search results: the snippet under each result comes from the page's article (not from its table
   of contents and buttons), without cell outputs, from its prose where the query's words are there
   (else from its code too), around the place where most of the query's words meet. */
if (typeof Search !== "undefined") {
  Search.htmlToText = (htmlString, anchor, withCode = true) => {
    const page = new DOMParser().parseFromString(htmlString, "text/html");
    const article = page.querySelector("article.bd-article") || page.querySelector('[role="main"]');
    if (!article) return "";
    const leaveOut = [".headerlink", "script", "style", ".cell_output", ".toggle-button"];
    if (!withCode) leaveOut.push(".cell_input", "div.highlight");
    for (const query of leaveOut) article.querySelectorAll(query).forEach((element) => element.remove());
    const part = anchor ? article.querySelector(anchor) : null;
    return (part || article).textContent.replace(/\s+/g, " ");
  };

  Search.makeSearchSummary = (htmlText, keywords, anchor) => {
    const words = [...keywords].map((word) => word.toLowerCase());
    const prose = Search.htmlToText(htmlText, anchor, false);
    const text = words.some((word) => prose.toLowerCase().includes(word))
      ? prose : Search.htmlToText(htmlText, anchor, true);
    if (text === "") return null;
    const lower = text.toLowerCase();
    // Where each word occurs; the snippet starts before the first occurrence that has the most
    // distinct query words within the 240 characters that follow it.
    const places = [];
    words.forEach((word) => {
      for (let at = lower.indexOf(word); at > -1; at = lower.indexOf(word, at + 1)) places.push(at);
    });
    places.sort((a, b) => a - b);
    let best = places.length ? places[0] : 0;
    let most = 0;
    for (const at of places) {
      const window = lower.substr(at, 240);
      const found = words.filter((word) => window.includes(word)).length;
      if (found > most) [best, most] = [at, found];
    }
    const start = Math.max(best - 60, 0);
    const summary = document.createElement("p");
    summary.classList.add("context");
    summary.textContent = (start > 0 ? "..." : "") + text.substr(start, 240).trim()
      + (start + 240 < text.length ? "..." : "");
    return summary;
  };
}
