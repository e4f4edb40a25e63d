import re

from stadtallianz.core.markdown import render_markdown


def test_markdown_renders_emphasis_lists_and_links():
    html = render_markdown("**bold** and [a link](https://example.org)\n\n- one\n- two")
    assert "<strong>bold</strong>" in html
    assert '<a href="https://example.org" rel="noopener noreferrer nofollow">a link</a>' in html
    assert "<li>one</li>" in html


def test_markdown_removes_scripts_raw_html_and_javascript_links():
    """No script, event handler or javascript: URL survives, whatever the author writes."""
    html = render_markdown(
        '<script>alert(1)</script>\n\n<img src=x onerror="alert(2)">\n\n'
        "[click](javascript:alert(3))\n\n<a href='https://x' onclick='alert(4)'>x</a>"
    )
    # What the author typed as HTML is shown as text; the only elements are paragraphs.
    assert set(re.findall(r"<(\w+)", html)) == {"p"}
    assert "&lt;script&gt;" in html
    assert 'href="javascript' not in html


def test_markdown_headings_start_below_the_page_title():
    """The page's own title is the only h1; authors' headings start at h2."""
    assert render_markdown("# Title\n\n## Section").startswith("<h2>Title</h2>\n<h3>Section</h3>")


def test_markdown_top_heading_follows_the_page_title_directly():
    """A text whose top heading is ## starts at h2, not h3, below the page's h1; the author's
    other headings keep their distance to it."""
    html = render_markdown("## Part\n\n#### Detail\n\ntext")
    assert html.startswith("<h2>Part</h2>\n<h4>Detail</h4>")


def test_markdown_inside_a_section_starts_one_level_deeper():
    """A partner's description sits below the page's "About us" h2, so its headings start at h3."""
    html = render_markdown("# Wir\n\n## Team", top_level=3)
    assert html.startswith("<h3>Wir</h3>\n<h4>Team</h4>")
