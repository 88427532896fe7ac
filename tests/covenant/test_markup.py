import re

import pytest

from covenant.markup import ALLOWED_TAGS, markdown_to_text, render_markdown

PAYLOADS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "[click](javascript:alert(1))",
    '<a href="https://x.org" onclick="alert(1)">x</a>',
    "<iframe src=https://evil.example></iframe>",
    "<svg onload=alert(1)>",
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_it_renders_script_and_html_payloads_inert(payload):
    html = render_markdown(payload)

    tags = set(re.findall(r"<([a-z0-9]+)", html))
    assert tags <= ALLOWED_TAGS
    assert not re.search(r"<[^>]*\son\w+=", html), html
    assert 'href="javascript' not in html


def test_it_keeps_links_with_safe_schemes_and_marks_them_user_content():
    html = render_markdown("[物业](https://wuye.example/notice) and [mail](mailto:a@b.cn)")

    assert 'href="https://wuye.example/notice"' in html
    assert 'href="mailto:a@b.cn"' in html
    assert html.count('rel="nofollow noopener noreferrer ugc"') == 2


def test_it_never_embeds_an_external_image():
    html = render_markdown("![tracker](https://evil.example/pixel.png)")

    assert "<img" not in html


def test_it_keeps_basic_formatting_and_demotes_headings():
    html = render_markdown("# 标题\n\n**加粗** 和 *强调*\n\n- 一\n- 二")

    assert "<h3>标题</h3>" in html
    assert "<strong>加粗</strong>" in html
    assert "<li>一</li>" in html


def test_plain_text_drops_markup_but_keeps_the_words():
    assert markdown_to_text("**电梯** 坏了 <b>x</b>") == "电梯 坏了 <b>x</b>"
