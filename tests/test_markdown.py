from signon.markdown import render_markdown


def test_markdown_renders_paragraphs_and_emphasis():
    html = render_markdown("We **urge** you.\n\nThank *you*.")
    assert html == "<p>We <strong>urge</strong> you.</p>\n<p>Thank <em>you</em>.</p>\n"


def test_raw_html_and_unsafe_links_are_neutralized():
    html = render_markdown(
        '<script>x()</script> <a href="javascript:x()">a</a> [b](javascript:y()) '
        "![i](http://remote.example/i.png) [ok](https://example.org)"
    )
    assert "<script" not in html
    assert '<a href="javascript' not in html
    assert "<img" not in html
    assert '<a href="https://example.org" rel="noopener noreferrer nofollow">ok</a>' in html
