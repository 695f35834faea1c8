"""Texts in a language, for every layer that writes for people: `formats` (numbers, money and
dates in a given language, from babel's CLDR data), `labels` (the translatable names of the
domain's enums and regions) and `i18n` (the language of the current request and the fast
per-request gettext). Imports `domain/` and babel; services may import it for mail and
calendar texts in the recipient's language."""
