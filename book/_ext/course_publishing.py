"""Sphinx extension: links to the course's repository only where a repository is configured.

A copy of the course is published from some repository, which ``_config.yml`` may name
(``repository: url:``). With a URL, every page gets the theme's repository button, each notebook
page its Binder launch button (``launch_buttons``), and each page's footer a "report a problem
with this page" link that opens a new issue in that repository, its title naming the page and its
body the page's source file and the course's version. Without a URL (the default: a book built
from a fresh copy knows no repository) none of them appears, so nothing points at a repository
that does not exist.

GitHub's new-issue address (``/issues/new?title=...&body=...``, also understood by Gitea and
Forgejo) is used unless the URL names GitLab (``/-/issues/new?issue[title]=...``).

Examples
--------
>>> new_issue_url("https://github.com/me/ingress-egress", "Reading a cloud bill",
...               "notebooks/07-reading-a-cloud-bill.ipynb", "1.2.0")  # doctest: +ELLIPSIS
'https://github.com/me/ingress-egress/issues/new?title=Problem%20on%20%22Reading%20a%20cloud%20bill%22&body=Page%3A%20notebooks/07-...'
>>> new_issue_url("https://gitlab.com/me/ingress-egress", "Glossary", "book/glossary.md", "1.2.0").split("&")[0]
'https://gitlab.com/me/ingress-egress/-/issues/new?issue%5Btitle%5D=Problem%20on%20%22Glossary%22'
"""

from __future__ import annotations

import html
import re
from urllib.parse import quote, urlencode, urlsplit

REPOSITORY_OPTIONS = ("use_repository_button", "use_issues_button", "use_edit_page_button", "use_source_button")


def repository_url(theme_options: dict) -> str:
    """The configured repository URL, without a trailing slash ('' when none is configured)."""
    return str(theme_options.get("repository_url") or "").strip().rstrip("/")


def new_issue_url(repository: str, page_title: str, source: str, version: str) -> str:
    """The address of a new issue about one page, in the repository's own issue tracker."""
    title = f'Problem on "{page_title}"'
    body = (f"Page: {source}\nCourse version: {version}\n\n"
            "What is wrong, and where on the page (section, cell or figure):\n")
    if "gitlab" in urlsplit(repository).netloc.lower():
        query = urlencode({"issue[title]": title, "issue[description]": body}, quote_via=quote)
        return f"{repository}/-/issues/new?{query}"
    query = urlencode({"title": title, "body": body}, quote_via=quote, safe="/")
    return f"{repository}/issues/new?{query}"


def _links_only_with_a_repository(app, config) -> None:
    options = dict(config.html_theme_options)
    url = repository_url(options)
    if url:
        options["repository_url"] = url
        options["use_repository_button"] = True
    else:
        options.pop("repository_url", None)
        options.update({name: False for name in REPOSITORY_OPTIONS}, launch_buttons={})
    config.html_theme_options = options


def _report_link(app, pagename, templatename, context, doctree) -> None:
    url = repository_url(app.config.html_theme_options)
    if not url or doctree is None:
        return
    title = html.unescape(re.sub(r"<[^>]+>", "", context.get("title") or pagename))
    source = app.env.doc2path(pagename, base=False)
    link = new_issue_url(url, title, str(source).replace("\\", "/"), app.config.release)
    line = (f'<p class="course-report"><a href="{html.escape(link)}">'
            f"Report a problem with this page</a></p>")
    context["theme_extra_footer"] = (context.get("theme_extra_footer") or "") + line


def setup(app):
    # Before the theme reads its options (and before the classroom edition drops launch buttons).
    app.connect("config-inited", _links_only_with_a_repository, priority=100)
    app.connect("html-page-context", _report_link, priority=600)  # after the version line (500)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
