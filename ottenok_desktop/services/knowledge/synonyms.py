"""Query expansion for shop words customers spell their own way (not brands: those are
the lexicon's job). "инста" finds "Instagram", "до скольки" finds "часы работы",
"отклеилась подошва" finds the warranty. Applied to queries only, after normalisation.
"""

from __future__ import annotations

import re

# (pattern on the normalised query, words appended to it)
EXPANSIONS: tuple[tuple[str, str], ...] = (
    (r"\bинст[аы]\w*|\binsta\w*", "instagram"),
    (r"\bкаспи\w*|\bkaspi", "kaspi"),
    (r"\bхалык\w*|\bhalyk", "halyk"),
    (r"\bсд[эе]к\w*|\bcdek", "сдэк cdek"),
    (r"\bиндрайв\w*|\bindrive\w*", "indriver курьер"),
    (r"\bказ\s?почт\w*|\bпочт\w*", "казпочта"),
    (r"\bва(?:т|ц)сап\w*|\bwhats\w*", "whatsapp"),
    (r"\bгде вы\b|\bнаход\w*|\bадрес\w*|\bкак (?:к вам )?(?:добраться|пройти|доехать)", "адрес магазина"),
    (r"\bдо скольки\b|\bво сколько\b|\bоткрыва\w*|\bзакрыва\w*|\bграфик\w*|\bвыходн\w*|\bрежим\w*", "часы работы ежедневно"),
    (r"\bотклеил\w*|\bпорвал\w*|\bслома\w*|\bбрак\w*|\bразвали\w*|\bлопнул\w*|\bотвалил\w*|\bрасползл\w*", "гарантия ремонт брак"),
    (r"\bчист\w*|\bпочист\w*|\bухажива\w*|\bмыть\b|\bстира\w*", "уход"),
    (r"\bзабронир\w*|\bотлож\w*|\bбронь\w*|\bброни\w*|\bпридерж\w*", "бронь"),
    (r"\bпример\w*|\bпомер\w*", "примерка"),
    (r"\bверн\w*|\bвозвра\w*", "возврат"),
    (r"\bобмен\w*|\bпоменя\w*", "обмен размера"),
    (r"\bкредит\w*|\bрассроч\w*|\bчастями\b", "рассрочка kaspi red"),
    (r"\bскидк\w*|\bакци\w*|\bдешевле\b", "скидки"),
    (r"\bразмерн\w*\s+сетк\w*|\bкакой размер\b|\bдлин\w* стоп\w*", "таблица размеров длина стопы"),
)
_COMPILED = tuple((re.compile(pattern), extra) for pattern, extra in EXPANSIONS)


def expand_query(normalized: str) -> str:
    extras = [extra for pattern, extra in _COMPILED if pattern.search(normalized)]
    return f"{normalized} {' '.join(extras)}" if extras else normalized
