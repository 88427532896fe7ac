"""The grouping itself (proposals/themes/grouping.py): the demo estate's texts in, themes out."""

import random
from collections import Counter, defaultdict

from proposals.ideas.demo_phrases import compose, generate_texts
from proposals.ideas.demo_texts import IDEA_TOTAL, SEED, THEMES
from proposals.themes import grouping as themes

PLACES = [(building, floor) for building in range(1, 27) for floor in range(1, 19)]
BIG_THREE = ("pets", "parking", "stairwell")


def demo_documents(total: int = IDEA_TOTAL, seed: int = SEED):
    rows = generate_texts(random.Random(seed), total, PLACES)
    categories = {slug: n for n, slug in enumerate(sorted({t.category for t in THEMES}))}
    documents = [
        themes.Document(n, categories[theme.category], themes.words_of(f"{title}\n{body}"))
        for n, (theme, title, body, _) in enumerate(rows)
    ]
    return rows, documents


def test_pets_parking_and_stairwell_ideas_land_in_themes_of_their_own():
    rows, documents = demo_documents()
    groups = themes.group_documents(documents)
    category_of = {n: row[0].category for n, row in enumerate(rows)}
    for slug in BIG_THREE:
        ideas = [n for n in category_of if category_of[n] == slug]
        in_pure_themes = 0
        for _, members in groups:
            counts = Counter(category_of[m] for m in members)
            assert sum(counts[s] > 0 for s in BIG_THREE) <= 1, counts  # never mixed
            if counts[slug] >= 0.9 * len(members):
                in_pure_themes += counts[slug]
        assert in_pure_themes >= 0.9 * len(ideas), slug


def test_within_a_category_different_wordings_make_different_themes():
    rows, documents = demo_documents()
    groups = themes.group_documents(documents)
    concern_of = {n: row[0].key for n, row in enumerate(rows)}
    theme_of_concern = defaultdict(Counter)
    for index, (_, members) in enumerate(groups):
        for member in members:
            theme_of_concern[concern_of[member]][index] += 1
    # E-bike charging (充电桩) and cars parked anywhere (乱停车) are both parking.
    charging = theme_of_concern["ebike"].most_common(1)[0]
    chaos = theme_of_concern["parking_chaos"].most_common(1)[0]
    assert charging[0] != chaos[0]
    assert charging[1] >= 0.9 * sum(theme_of_concern["ebike"].values())
    assert chaos[1] >= 0.9 * sum(theme_of_concern["parking_chaos"].values())
    for key in ("leash", "dog_mess", "barking", "clutter", "cardboard", "fire_lane", "spaces"):
        index, count = theme_of_concern[key].most_common(1)[0]
        assert count >= 0.8 * sum(theme_of_concern[key].values()), key


def test_a_group_is_explained_by_the_words_its_ideas_share():
    rng = random.Random(3)
    leash = next(t for t in THEMES if t.key == "leash")
    texts = [compose(leash, rng, 3, 12) for _ in range(12)]
    documents = [
        themes.Document(n, 1, themes.words_of(f"{title}\n{body}"))
        for n, (title, body) in enumerate(texts)
    ]
    vectors = themes.vectorise(documents)
    [(_, members)] = themes.group_documents(documents, vectors)
    description = themes.describe(members, vectors, {d.id: d.words for d in documents})
    assert {"遛狗", "牵绳"} <= set(description.shared)
    assert description.name in ("遛狗、牵绳", "牵绳、遛狗")
    assert max(description.centrality.values()) <= 1.0


def test_numbers_single_characters_and_stop_words_are_no_keywords():
    words = themes.words_of("12栋楼下的狗每天晚上叫，我们希望物业管管遛狗不牵绳的问题")
    assert "遛狗" in words and "牵绳" in words
    assert not [w for w in words if len(w) < 2 or any(c.isdigit() for c in w)]
    assert not {"希望", "物业", "我们", "每天", "晚上", "问题"} & set(words)


def test_the_same_ideas_always_give_the_same_groups():
    _, documents = demo_documents(total=150, seed=5)
    assert themes.group_documents(documents) == themes.group_documents(list(reversed(documents)))
