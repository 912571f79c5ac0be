"""Russian texts of the knowledge service (for the console), kept in one place.

Each function returns the Russian twin of an English reason raised by a reader.
"""

from __future__ import annotations

CORRUPT_DOCX = "файл повреждён или это не документ Word (.docx)"
EMPTY_DOCUMENT = "в документе нет текста"
UNREADABLE_FILE = "не удалось прочитать файл"
BAD_ENCODING = "не удалось определить кодировку текста (сохраните файл в UTF-8)"
NOT_A_CHAT_EXPORT = "это не экспорт чата WhatsApp (не найдены строки с датой и временем)"
UNSUPPORTED_TYPE = "этот тип файла не поддерживается (нужен .docx, .txt или .md)"
TOO_LARGE = "файл слишком большой"
