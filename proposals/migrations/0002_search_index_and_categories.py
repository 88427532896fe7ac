from django.db import migrations

# The expression Django's SearchVector("search_tokens", config="simple") compiles to, so
# that keyword search and similar-idea suggestions use this index.
SEARCH_INDEX = (
    "CREATE INDEX IF NOT EXISTS idea_search_tokens_gin ON proposals_idea "
    "USING gin (to_tsvector('simple'::regconfig, COALESCE(search_tokens, '')))"
)

CATEGORIES = [
    ("pets", "宠物饲养", "Pet keeping"),
    ("parking", "停车", "Parking"),
    ("stairwell", "楼道堆物", "Stairwell clutter"),
    ("greenery", "绿化", "Greenery"),
    ("safety", "安全", "Safety"),
    ("facilities", "公共设施", "Facilities"),
    ("noise", "噪音", "Noise"),
    ("hygiene", "环境卫生", "Hygiene"),
    ("other", "其他", "Other"),
]


def create_search_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(SEARCH_INDEX)


def drop_search_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS idea_search_tokens_gin")


def seed_categories(apps, schema_editor):
    Category = apps.get_model("proposals", "Category")
    for position, (slug, name, name_en) in enumerate(CATEGORIES, start=1):
        Category.objects.get_or_create(
            slug=slug, defaults={"name": name, "name_en": name_en, "position": position * 10}
        )


class Migration(migrations.Migration):
    dependencies = [("proposals", "0001_initial")]

    operations = [
        migrations.RunPython(create_search_index, drop_search_index),
        migrations.RunPython(seed_categories, migrations.RunPython.noop),
    ]
