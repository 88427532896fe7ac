from importlib import import_module

import factory
from django.utils import timezone

from proposals.ideas import search
from proposals.models import Category, Comment, Idea


def seeded_category(slug: str) -> Category:
    """A category the migration seeds; flushed databases (transactional tests) get it back."""
    seed = import_module("proposals.migrations.0002_search_index_and_categories")
    for position, (key, name, name_en) in enumerate(seed.CATEGORIES, start=1):
        if key == slug:
            return Category.objects.get_or_create(
                slug=slug, defaults={"name": name, "name_en": name_en, "position": position * 10}
            )[0]
    raise LookupError(slug)


class IdeaFactory(factory.django.DjangoModelFactory):
    """An idea filed under `household`; building, floor and estate follow from it."""

    class Meta:
        model = Idea

    title = factory.Sequence(lambda n: f"加装电梯的建议 {n}")
    body = "我们楼里老人多，上下楼很不方便，建议加装电梯。"
    category = factory.LazyFunction(lambda: seeded_category("facilities"))
    building = factory.LazyAttribute(lambda o: o.household.building if o.household else None)
    floor = factory.LazyAttribute(lambda o: o.household.floor if o.household else None)
    community = factory.LazyAttribute(lambda o: o.household.building.community)
    search_tokens = factory.LazyAttribute(lambda o: search.search_tokens_for(o.title, o.body))
    created_at = factory.LazyFunction(timezone.now)


class CommentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Comment

    body = "同意，楼下也是这样。"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        comment = super()._create(model_class, *args, **kwargs)
        if comment.moderation == "visible":
            Idea.objects.filter(pk=comment.idea_id).update(
                comment_count=Comment.objects.filter(
                    idea_id=comment.idea_id, moderation="visible"
                ).count()
            )
        return comment
