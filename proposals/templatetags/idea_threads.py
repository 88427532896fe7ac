from django import template

from proposals.ideas.threads import render_thread

register = template.Library()


@register.simple_tag(takes_context=True)
def comment_thread(context, idea, may_comment):
    """`{% comment_thread idea may_comment %}`: the page's comments and their replies
    (proposals/threads.py), without a template include per comment."""
    return render_thread(idea, request=context["request"], may_comment=may_comment)
