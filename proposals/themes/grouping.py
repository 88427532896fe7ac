"""Grouping golden ideas into themes (主题归纳): words in, groups out, no database.

How it works, in terms a steward can check on the page:

1. Each idea's title and text are cut into words by jieba with the estate's vocabulary
   (proposals/ideas/search.py), keeping words of two characters or more that are neither
   numbers nor stop words.
2. Each word is weighted by TF-IDF over the estate's ideas: a word many ideas use weighs
   little, a word only some use (充电桩) weighs much; a word only one idea uses is left
   out, as it links that idea to no other. Each idea becomes a sparse vector of its
   words, of length one.
3. Within a category, ideas are grouped by cosine similarity to a group's centre: an
   idea joins the closest group if it is at least `JOIN_THRESHOLD` similar, else it starts
   a new group; then every idea is placed again at its closest centre (twice), groups
   whose centres are alike are merged, groups too small to be a theme join their
   closest one (or the category's "other" group), and groups explained by the same two
   shared words become one.
4. A group is described by its keywords (the heaviest words of its centre), the words
   most of its ideas share (the explanation shown: "grouped because they share: 遛狗,
   牵绳") and each idea's closeness to the centre, which picks the representative ideas.

Everything is deterministic: the same ideas give the same groups.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import jieba

from proposals.ideas.search import STOP_WORDS
from proposals.ideas.search import WORD_CHARACTER as _WORD

# Words every estate concern uses; they say nothing about which concern it is.
_ESTATE_STOP_TEXT = """
    小区 物业 业主 住户 居民 邻居 我家 我们家 楼下 楼上 门口 单元 每天 晚上 早上 白天 经常 一直
    影响 严重 管理 管管 情况 现象 真的 非常 特别 还有 注意 安排 提醒 设置 解决 处理 希望 能够
    尽快 及时 加强 可能 觉得 知道 看到 发现 出现 反映 感谢 谢谢 支持 附议 同意 上次 上周 最近
    几次 好几 已经 不少 很多 太多 越来越 越来越多 一样 这样 那样 以后 之前 之后 里面 旁边 附近
    地方 时间 容易 而且 但是 因为 所以 如果 虽然 还是 或者 然后 一起 不是 没有人 有人 别人 老人
    孩子 小孩 其他 一次 一位 一只 一个 两个 几个 开展 定期 行动 宣传 建议 问题 出来 不好 只能
    上面 根本 事情 哪里 之间 很大 一天 几天 一年 发生 增加 存在 找到 放在 差点 一点 小时 外面 进来
"""
ESTATE_STOP_WORDS = frozenset(_ESTATE_STOP_TEXT.split())

JOIN_THRESHOLD = 0.18  # an idea this similar to a group's centre joins it
MERGE_THRESHOLD = 0.3  # groups whose centres are this alike become one
MIN_GROUP_SIZE = 3  # smaller groups join their closest (or the category's other ideas)
REFINE_PASSES = 2
KEYWORDS_KEPT = 6
SHARED_SHOWN = 3
SHARED_BY = 0.4  # a word "shared" by a group: used by at least this share of its ideas


@dataclass(frozen=True)
class Document:
    """An idea as the grouping sees it."""

    id: int
    category_id: int
    words: tuple[str, ...]
    supports: int = 0


@dataclass
class Description:
    keywords: list[str]
    shared: list[str]
    centrality: dict[int, float] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return "、".join((self.shared or self.keywords)[:2])


Vector = dict[str, float]


@lru_cache(maxsize=20_000)
def words_of(text: str) -> tuple[str, ...]:
    """The words of an idea's title and text that can tell it apart from others.

    jieba's precise mode, without HMM guesses, so a word comes out whole (电动车, not
    电动 + 动车 as in the search index). Cached: a worker regrouping again cuts only the
    ideas it has not seen.
    """
    return tuple(
        dict.fromkeys(
            word
            for word in (token.strip() for token in jieba.cut(text.lower(), HMM=False))
            if len(word) > 1
            and _WORD.search(word)
            and not any(char.isdigit() for char in word)
            and word not in STOP_WORDS
            and word not in ESTATE_STOP_WORDS
        )
    )


def vectorise(documents: Iterable[Document]) -> dict[int, Vector]:
    """Each document's TF-IDF vector, of length one, with IDF taken over the estate."""
    docs = list(documents)
    frequency = Counter(word for doc in docs for word in set(doc.words))
    total = len(docs)
    idf = {word: math.log((1 + total) / (1 + count)) + 1 for word, count in frequency.items()}
    vectors: dict[int, Vector] = {}
    for doc in docs:
        # A word that only this idea uses tells nothing about a group: left out.
        weights = {w: idf[w] for w in doc.words if frequency[w] > 1 or total == 1}
        norm = math.sqrt(sum(value * value for value in weights.values())) or 1.0
        vectors[doc.id] = {word: value / norm for word, value in weights.items()}
    return vectors


class _Centre:
    """A running sum of vectors, with its length kept up to date."""

    __slots__ = ("members", "norm_squared", "total")

    def __init__(self) -> None:
        self.total: Vector = {}
        self.norm_squared = 0.0
        self.members: list[int] = []

    def dot(self, vector: Vector) -> float:
        total = self.total
        return sum(value * total.get(word, 0.0) for word, value in vector.items())

    def similarity(self, vector: Vector) -> float:
        if not self.norm_squared:
            return 0.0
        return self.dot(vector) / math.sqrt(self.norm_squared)

    def add(self, doc_id: int, vector: Vector, dot: float | None = None) -> None:
        dot = self.dot(vector) if dot is None else dot
        self.norm_squared += 2 * dot + 1.0
        total = self.total
        for word, value in vector.items():
            total[word] = total.get(word, 0.0) + value
        self.members.append(doc_id)

    def normalised(self) -> Vector:
        norm = math.sqrt(self.norm_squared) or 1.0
        return {word: value / norm for word, value in self.total.items()}


def _closest(vector: Vector, centres: Sequence[_Centre]) -> tuple[int, float]:
    best, best_score = -1, 0.0
    for index, centre in enumerate(centres):
        score = centre.similarity(vector)
        if score > best_score:
            best, best_score = index, score
    return best, best_score


def _centres_of(groups: Iterable[list[int]], vectors: dict[int, Vector]) -> list[_Centre]:
    centres = []
    for members in groups:
        centre = _Centre()
        for doc_id in members:
            centre.add(doc_id, vectors[doc_id])
        centres.append(centre)
    return centres


def _group_category(ids: list[int], vectors: dict[int, Vector]) -> list[list[int]]:
    centres: list[_Centre] = []
    for doc_id in ids:
        vector = vectors[doc_id]
        index, score = _closest(vector, centres)
        if score >= JOIN_THRESHOLD:
            centres[index].add(doc_id, vector)
        else:
            centre = _Centre()
            centre.add(doc_id, vector, 0.0)
            centres.append(centre)
    for _ in range(REFINE_PASSES):
        fixed = [_Centre.__new__(_Centre) for _ in centres]
        for frozen, centre in zip(fixed, centres, strict=True):
            frozen.total, frozen.norm_squared, frozen.members = centre.normalised(), 1.0, []
        groups: list[list[int]] = [[] for _ in centres]
        for doc_id in ids:
            index, _score = _closest(vectors[doc_id], fixed)
            if index < 0:  # no word in common with any centre
                index = next(i for i, c in enumerate(centres) if doc_id in c.members)
            groups[index].append(doc_id)
        centres = _centres_of((g for g in groups if g), vectors)
    centres = _merge_alike(centres, vectors)
    return _absorb_small(centres, vectors)


def _merge_alike(centres: list[_Centre], vectors: dict[int, Vector]) -> list[_Centre]:
    merged = True
    while merged:
        merged = False
        normalised = [centre.normalised() for centre in centres]
        for i in range(len(centres)):
            for j in range(i + 1, len(centres)):
                a, b = normalised[i], normalised[j]
                if sum(v * b.get(w, 0.0) for w, v in a.items()) >= MERGE_THRESHOLD:
                    members = centres[i].members + centres[j].members
                    centres = [c for k, c in enumerate(centres) if k not in (i, j)]
                    centres += _centres_of([members], vectors)
                    merged = True
                    break
            if merged:
                break
    return centres


def _absorb_small(centres: list[_Centre], vectors: dict[int, Vector]) -> list[list[int]]:
    large = [c for c in centres if len(c.members) >= MIN_GROUP_SIZE]
    small = [c for c in centres if len(c.members) < MIN_GROUP_SIZE]
    groups = {index: list(centre.members) for index, centre in enumerate(large)}
    leftover: list[int] = []
    for centre in small:
        for doc_id in centre.members:
            index, score = _closest(vectors[doc_id], large)
            if index >= 0 and score >= JOIN_THRESHOLD / 2:
                groups[index].append(doc_id)
            else:
                leftover.append(doc_id)
    result = [sorted(members) for members in groups.values()]
    if leftover:
        result.append(sorted(leftover))
    return result


def group_documents(
    documents: Sequence[Document], vectors: dict[int, Vector] | None = None
) -> list[tuple[int, list[int]]]:
    """(category id, ids of the documents) of each group; every document in one group."""
    vectors = vectors if vectors is not None else vectorise(documents)
    words = {document.id: document.words for document in documents}
    by_category: dict[int, list[int]] = defaultdict(list)
    for document in sorted(documents, key=lambda d: d.id):
        by_category[document.category_id].append(document.id)
    return [
        (category_id, members)
        for category_id, ids in sorted(by_category.items())
        for members in _join_same_explanation(_group_category(ids, vectors), vectors, words)
    ]


def _join_same_explanation(
    groups: list[list[int]], vectors: dict[int, Vector], words: dict[int, Sequence[str]]
) -> list[list[int]]:
    """Groups whose ideas share the same two main words are one theme: on few ideas,
    the variety of wording around 遛狗 and 牵绳 may split what residents see as one."""
    joined: dict[frozenset[str], list[int]] = {}
    result: list[list[int]] = []
    for members in groups:
        shared = describe(members, vectors, words).shared[:2]
        key = frozenset(shared)
        if len(key) == 2 and key in joined:
            joined[key].extend(members)
            joined[key].sort()
            continue
        if len(key) == 2:
            joined[key] = members
        result.append(members)
    return result


def describe(
    member_ids: Sequence[int], vectors: dict[int, Vector], words: dict[int, Sequence[str]]
) -> Description:
    """The keywords, shared words and each member's closeness to the centre of a group."""
    centre = _centres_of([list(member_ids)], vectors)[0].normalised()
    keywords = sorted(centre, key=lambda word: (-centre[word], word))[:KEYWORDS_KEPT]
    used_by = Counter(word for doc_id in member_ids for word in set(words.get(doc_id, ())))
    needed = max(2, math.ceil(SHARED_BY * len(member_ids)))
    shared = sorted(
        (word for word, count in used_by.items() if count >= needed and word in centre),
        key=lambda word: (-used_by[word] * centre[word], word),
    )[:SHARED_SHOWN]
    centrality = {
        doc_id: round(sum(v * centre.get(w, 0.0) for w, v in vectors[doc_id].items()), 4)
        for doc_id in member_ids
    }
    return Description(keywords=keywords, shared=shared, centrality=centrality)
