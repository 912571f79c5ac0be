"""Which language a customer writes in: Russian, Kazakh, or a Kazakh-Russian mix (pure).

Almaty customers write Kazakh with its own letters (ә ғ қ ң ө ұ ү һ і) or without them
("канша", "бар ма", "рахмет"), and mix it with Russian in one sentence ("сәлеметсіз бе,
есть лоферы 38?"). A token is Kazakh when it carries a Kazakh-only letter or is a common
Kazakh word (its spelling without the special letters included); a token is Russian
when it is a Russian function word or verb a Kazakh sentence would not use. Courtesy
words that Russian speakers in Almaty use every day ("рахмет", "жаным", "апай") count
only next to other Kazakh words, so "Спасибо, рахмет!" stays Russian.

`detect_language(text)` → `Language.RU | KK | MIXED`; `is_kazakh(language)` says whether a
Kazakh-speaking manager would help (KK or MIXED). Measured in bench/language.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from .text import normalize, tokens

KAZAKH_LETTERS = frozenset("әғқңөұүһі")


class Language(StrEnum):
    RU = "ru"
    KK = "kk"
    MIXED = "mixed"


# Common Kazakh words of shop chat, with the spellings customers use without the special
# letters (normalised: lowercase, ё→е). Question particles (ма, ме, ба, бе, па, пе) included.
KAZAKH_WORDS: frozenset[str] = frozenset("""
сәлем салем сәлеметсіз салеметсиз салеметсız саламатсыз сәлеметсіздер салеметсиздер амансыз ба бе ма ме па пе
қанша канша бар жоқ жок иә иа ия керек керегі кереги бағасы багасы баға бага бағасын багасын
қалай калай қандай кандай қай қайда кайда қашан кашан неше нешеге неге
жақсы жаксы және жане үшін ушин мен сен сіз сиз сізде сизде сізге сизге сіздің сиздин біз биз бізде бизде
маған маган менің менин маңа мага бұл бул осы ол сол мына мынау анау
бар ма барма бар ба болады болад бола болса болмайды болмайма болама
алайын алайн алам аламын алғым алгым алуға алуга аламыз алсам
келеді келеди келе келді келди келіп келип жеткізу жеткизу жеткізесіз жеткизесиз жеткізіп жеткизип
жіберіңіз жибериниз жіберші жиберши жіберсеңіз жиберсениз жібересіз жиберисиз
көрсетіңіз корсетиниз көрсетші корсетши айтыңызшы айтынызшы айтыңыз айтыныз айтшы
түсі туси түсті тусти түсте тусте түстері тустери өлшем олшем өлшемі олшеми өлшемді олшемди
аяқ аяк киім киим аяқкиім тапсырыс беріңіз бериниз берші берши
қыз кыз әйел айел балаға балага ғой гой ғана гана әлі али енді енди да де та те
тұр тур тұрады турады бағасы қымбат кымбат арзан арзандау жеңілдік женилдик
ертең ертен бүгін бугин кеше қазір казир уақыт уакыт
өте оте рас дұрыс дурыс жарайды жарайды жарайдыма мүмкін мумкин болмайды
тоқта кешіріңіз кешириниз кешірім кешірерсіз
екен емес онда ойланып жазамын алып кетуге жасаймыз жасайсыз керекпе бар ма екен
отыз қырық кырык сегіз сегиз жеті жети алты бес тоғыз тогыз бір бир екі еки үш уш төрт торт
""".split())

# Everyday Kazakh courtesy words that Russian speakers use too: they count only together
# with other Kazakh words.
WEAK_KAZAKH: frozenset[str] = frozenset({"рахмет", "рахметь", "рахмат", "жаным", "жаным", "апай", "апа", "ага", "аға",
                                         "салем", "сәлем", "иа", "ия", "да", "де", "та", "те", "бар", "мен", "али",
                                         "неге", "сол", "бир", "бес", "алты", "гана", "тур", "кыз", "мага"})

# Russian words a Kazakh sentence would not carry (function words, common verbs and
# question words). Russian nouns ("размер", "доставка", "лоферы") are shared by both
# languages in Almaty chat and say nothing.
RUSSIAN_WORDS: frozenset[str] = frozenset("""
и в во на с со к ко у о об от до по за из при для без про а но или ли же бы ни то это этот эта эти
я мы вы ты он она они мне нам вам вас меня нас вами мой моя мои ваш ваша ваши свой
есть нет да будет будут был была было были можно нужно надо нужен нужна нужны хочу хотела хотел хотим хотите
сколько какой какая какие каких где когда почему как что чтобы кто чем там тут здесь еще уже тоже также
только очень просто пожалуйста здравствуйте здраствуйте здрасте добрый доброе день вечер утро спасибо привет
подскажите скажите покажите пришлите отправьте можете сможете есть ли стоит стоят цена сколько
буду будем беру возьму заберу посмотреть посмотрю подумаю оформить оформите доставите доставка доставку
размер размера размеры цвет цвета цвете наличии еще всё все весь вся этого этой того такой такие
""".split()) - {"размер", "размера", "размеры", "цвет", "цвета", "цвете", "доставка", "доставку", "да"}


# Russian verb and adjective endings (imperatives, infinitives, plural adjectives): Kazakh
# words do not end so, and they mark Russian grammar around shared nouns.
_RUSSIAN_ENDINGS = ("ите", "йте", "ить", "ать", "ять", "еть", "ешь", "ется", "ются", "ые", "ый", "ая", "ое", "ую")


def _is_russian_token(token: str) -> bool:
    return token in RUSSIAN_WORDS or (len(token) >= 5 and token.endswith(_RUSSIAN_ENDINGS))


@dataclass(frozen=True)
class LanguageScore:
    kazakh: float  # Kazakh evidence (a weak courtesy word counts 0.5)
    russian: int  # Russian function words and verbs
    strong_kazakh: int  # tokens with Kazakh letters or strong Kazakh words

    @property
    def language(self) -> Language:
        if self.strong_kazakh == 0:
            return Language.RU
        if self.russian == 0:
            return Language.KK
        return Language.MIXED


# Kazakh endings on Russian words: a dative on a city ("Шымкентке", "Астанага") and a plural
# on a product ("лоферлер", "кроссовкалар"); the Russian words that happen to end so are kept out.
_CITY_CASE_ENDINGS = ("ға", "ге", "қа", "ке", "га", "ка", "да", "де", "дан", "ден", "тан", "тен")
_PLURAL_ENDINGS = ("лар", "лер", "тар", "тер", "дар", "дер")
_NOT_PLURAL = frozenset({"доллар", "дилер", "шиллер", "триллер", "киллер", "роллер", "тумблер", "свитер", "принтер",
                         "компьютер", "мастер", "бутер", "сканер", "постер", "бустер", "кластер", "фильтер",
                         "календар", "боулер", "лобстер", "хипстер", "бестселлер", "сеттер", "реестер"})
_PLURAL_STEMS = ("кроссовка", "лофер", "балетка", "туфли", "туфл", "кеда", "кед", "сумка", "ботинка", "сапог",
                 "босоножка", "мюли", "ботильон", "кошелек", "клатч", "модель", "размер", "фото", "түс")


def _city_with_kazakh_case(token: str) -> bool:
    from .cities import detect_city  # the city table is only needed for this rare shape

    for ending in _CITY_CASE_ENDINGS:
        if token.endswith(ending) and len(token) > len(ending) + 3:
            stem = token[: -len(ending)]
            if detect_city(stem):
                return True
    return False


def _product_with_kazakh_plural(token: str) -> bool:
    if token in _NOT_PLURAL:
        return False
    for ending in _PLURAL_ENDINGS:
        if token.endswith(ending) and token[: -len(ending)].startswith(_PLURAL_STEMS):
            return True
    return False


def _is_kazakh_token(token: str) -> bool:
    return (bool(KAZAKH_LETTERS.intersection(token)) or token in KAZAKH_WORDS
            or _product_with_kazakh_plural(token) or _city_with_kazakh_case(token))


@lru_cache(maxsize=4096)
def score(text: str) -> LanguageScore:
    kazakh = 0.0
    strong = 0
    russian = 0
    for token in tokens(normalize(text)):
        if token[0].isdigit():
            continue
        if token in WEAK_KAZAKH and not KAZAKH_LETTERS.intersection(token):
            kazakh += 0.5
        elif _is_kazakh_token(token):
            kazakh += 1
            strong += 1
        elif _is_russian_token(token):
            russian += 1
    # Two weak words together ("салем, бар ма") are Kazakh enough.
    if strong == 0 and kazakh >= 1.0 and russian == 0:
        strong = 1
    return LanguageScore(kazakh, russian, strong)


def detect_language(text: str) -> Language:
    """The language of one customer message (or a turn's joined messages)."""
    if not text or not text.strip():
        return Language.RU
    return score(text).language


def is_kazakh(language: Language | str) -> bool:
    """KK or MIXED: a Kazakh-speaking manager would help; the bot adds a Kazakh courtesy line."""
    return str(language) in (Language.KK, Language.MIXED)


# The line the LLM prompt carries for a Kazakh or mixed turn (the system prompt is Russian).
# The facts block stays as it is: the guards check numbers, so they hold in any language.
LLM_LANGUAGE_LINES: dict[Language, str] = {
    Language.KK: ("Клиент пишет по-казахски: ответь на казахском языке (простым разговорным, как продавец в "
                  "Алматы), названия моделей, цены, размеры и цвета из фактов не меняй и не переводи числа."),
    Language.MIXED: ("Клиент пишет на смеси казахского и русского: ответь так же — по-русски с казахскими "
                     "вежливыми словами или по-казахски, как удобнее клиенту; цифры и названия — точно как в фактах."),
}


def llm_language_line(language: Language | str) -> str:
    """The prompt line for the customer's language ("" for Russian)."""
    try:
        return LLM_LANGUAGE_LINES.get(Language(language), "")
    except ValueError:
        return ""
