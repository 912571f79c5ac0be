"""Russian normalisation shared by stock matching, retrieval and order extraction.

`text` (lowercase, ё→е, tokens, stems), `brands` (aliases + fuzzy), `colors`, `sizes`,
`product_types`. Pure functions and small data tables; no I/O, nothing heavy at import.
"""

from .brands import BrandLexicon, detect_brands, normalize_brands
from .colors import canonical_color, detect_colors
from .product_types import detect_product_type, product_kind_word
from .sizes import detect_sizes, normalize_size
from .text import normalize, stem, stems, tokens

__all__ = [
    "BrandLexicon",
    "canonical_color",
    "detect_brands",
    "detect_colors",
    "detect_product_type",
    "detect_sizes",
    "normalize",
    "normalize_brands",
    "normalize_size",
    "product_kind_word",
    "stem",
    "stems",
    "tokens",
]
