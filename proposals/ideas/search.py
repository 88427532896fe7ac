"""Keyword search and similar-idea suggestions that work for Chinese.

Chinese is written without spaces, so titles and bodies are cut into words with jieba
(search-engine mode, which also yields the shorter words inside long ones: 加装电梯 gives
加装 and 电梯) and stored space-separated in `Idea.search_tokens`, together with every
pair of adjacent Chinese characters. The pairs catch what a segmenter cuts differently
in context (北门路灯 may come out as 北门路|灯, yet contains the pair 路灯): a typed word
matches if the text holds its pairs. On PostgreSQL that column
is searched through a GIN full-text index (`simple` configuration, see the migration); on
SQLite through a plain substring match on the padded token list.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from functools import cache

import jieba
from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connection
from django.db.models import Q, QuerySet

jieba.setLogLevel(logging.WARNING)

# Words of estate life that jieba's general dictionary splits apart or does not know.
ESTATE_WORDS = [
    "充电桩",
    "飞线充电",
    "电动车",
    "电瓶车",
    "消防通道",
    "楼道",
    "堆物",
    "杂物",
    "遛狗",
    "牵绳",
    "狗粪",
    "犬吠",
    "宠物",
    "流浪猫",
    "高空抛物",
    "垃圾分类",
    "垃圾房",
    "业委会",
    "物业费",
    "维修基金",
    "楼长",
    "门禁",
    "监控",
    "加装电梯",
    "车位",
    "停车位",
    "地下车库",
    "健身器材",
    "路灯",
    "绿化带",
    "噪音",
    "广场舞",
    "装修",
    "漏水",
    "外墙",
    "保洁",
]
for _word in ESTATE_WORDS:
    # Raised just enough that jieba keeps the word whole (北门|路灯, not 北门路|灯).
    jieba.suggest_freq(_word, tune=True)

# Words too common to tell ideas apart. Kept short on purpose: the grouping of themes
# (issue 7) weighs words by frequency and needs no longer list.
STOP_WORDS = frozenset(
    [
        "的",
        "了",
        "是",
        "在",
        "和",
        "与",
        "及",
        "或",
        "也",
        "都",
        "就",
        "还",
        "又",
        "很",
        "太",
        "更",
        "最",
        "把",
        "被",
        "让",
        "给",
        "对",
        "向",
        "从",
        "到",
        "为",
        "以",
        "于",
        "之",
        "这",
        "那",
        "这个",
        "那个",
        "这些",
        "那些",
        "我",
        "你",
        "他",
        "她",
        "它",
        "我们",
        "你们",
        "他们",
        "大家",
        "自己",
        "什么",
        "怎么",
        "如何",
        "为什么",
        "能",
        "能否",
        "可以",
        "可否",
        "希望",
        "建议",
        "请",
        "麻烦",
        "一下",
        "一些",
        "一个",
        "有",
        "没有",
        "没",
        "不",
        "不要",
        "要",
        "会",
        "应该",
        "需要",
        "问题",
        "吗",
        "呢",
        "吧",
        "啊",
        "呀",
        "哦",
        "嗯",
        "等",
        "等等",
        "啦",
        "个",
        "些",
        "里",
        "上",
        "下",
        "中",
        "后",
        "前",
        "时",
        "时候",
        "现在",
        "已经",
        "经常",
        "总是",
        "the",
        "a",
        "an",
        "and",
        "or",
        "of",
        "to",
        "in",
        "on",
        "for",
        "is",
        "are",
        "be",
        "with",
        "please",
    ]
)

MAX_QUERY_TOKENS = 12
WORD_CHARACTER = re.compile(r"\w", re.UNICODE)
_WORD = WORD_CHARACTER
SEARCH_CONFIG = "simple"


def tokenize(text: str) -> list[str]:
    """The distinct meaningful words of a text, in order of appearance."""
    seen: dict[str, None] = {}
    # HMM off: only dictionary words, so the same words come out of a title and of a
    # query; the HMM's guessed "words" (又坏了) would match nothing typed elsewhere.
    for token in jieba.cut_for_search((text or "").lower(), HMM=False):
        token = token.strip()
        if token and _WORD.search(token) and token not in STOP_WORDS:
            seen.setdefault(token, None)
    return list(seen)


_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


def character_pairs(text: str) -> list[str]:
    pairs: dict[str, None] = {}
    for run in _CJK_RUN.findall(text or ""):
        for start in range(len(run) - 1):
            pairs.setdefault(run[start : start + 2], None)
    return list(pairs)


def search_tokens_for(*parts: str) -> str:
    text = " ".join(parts)
    terms = dict.fromkeys(tokenize(text))
    terms.update(dict.fromkeys(character_pairs(text)))
    # Padded with spaces so that " 电梯 " matches whole terms only on SQLite.
    return " " + " ".join(terms) + " "


def _is_cjk(token: str) -> bool:
    return bool(_CJK_RUN.fullmatch(token))


def query_terms(token: str) -> list[str]:
    """The index terms a typed word must all be found as: a long Chinese word as its
    character pairs, anything else as itself."""
    if _is_cjk(token) and len(token) > 2:
        return character_pairs(token)
    return [token]


def contains(indexed: set[str], token: str) -> bool:
    return all(term in indexed for term in query_terms(token))


def _postgres() -> bool:
    return connection.vendor == "postgresql"


@cache
def _vector() -> SearchVector:
    return SearchVector("search_tokens", config=SEARCH_CONFIG)


def _tsquery_words(tokens: Iterable[str]) -> list[str]:
    # Characters with a meaning in tsquery syntax are dropped; jieba has already split
    # on punctuation, so what is left of a token is letters and digits.
    words = [re.sub(r"[^\w]", "", token) for token in tokens]
    return [word for word in words if word]


def filter_by_keywords(queryset: QuerySet, query: str) -> QuerySet:
    """Ideas containing every meaningful word of the query (none: no filter).

    A single character (狗, 车) is no word for jieba, but residents type them: those are
    looked for in the title and text themselves.
    """
    tokens = _tsquery_words(tokenize(query))[:MAX_QUERY_TOKENS]
    characters = [token for token in tokens if len(token) == 1 and _is_cjk(token)]
    for character in characters:
        queryset = queryset.filter(Q(title__contains=character) | Q(body__contains=character))
    words = list(
        dict.fromkeys(
            term for token in tokens if token not in characters for term in query_terms(token)
        )
    )
    if not words:
        return queryset
    if _postgres():
        return queryset.annotate(search=_vector()).filter(
            search=SearchQuery(" & ".join(words), config=SEARCH_CONFIG, search_type="raw")
        )
    condition = Q()
    for word in words:
        condition &= Q(search_tokens__contains=f" {word} ")
    return queryset.filter(condition)


def filter_by_any_keyword(queryset: QuerySet, tokens: list[str]) -> QuerySet:
    words = [
        term
        for token in _tsquery_words(tokens)[:MAX_QUERY_TOKENS]
        if not (len(token) == 1 and _is_cjk(token))
        for term in query_terms(token)[:1]
    ]
    if not words:
        return queryset.none()
    if _postgres():
        return queryset.annotate(search=_vector()).filter(
            search=SearchQuery(" | ".join(words), config=SEARCH_CONFIG, search_type="raw")
        )
    condition = Q()
    for word in words:
        condition |= Q(search_tokens__contains=f" {word} ")
    return queryset.filter(condition)


def similarity(query_tokens: set[str], idea_tokens: set[str]) -> float:
    """Share of the typed words that the idea contains, weighted towards longer words."""
    if not query_tokens:
        return 0.0
    weight = {token: min(len(token), 4) for token in query_tokens}
    shared = sum(weight[token] for token in query_tokens if contains(idea_tokens, token))
    return shared / sum(weight.values())
