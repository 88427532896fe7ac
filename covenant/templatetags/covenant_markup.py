from django import template

from covenant.markup import markdown_to_text, render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text: str):
    """`{{ idea.body|markdown }}`: sanitised HTML of a user's Markdown."""
    return render_markdown(text)


@register.filter(name="markdown_text")
def markdown_text_filter(text: str) -> str:
    return markdown_to_text(text)
