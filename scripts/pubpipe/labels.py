"""The words the pipeline itself adds to an edition, in the article's language.

The editions declare the article's language (`lang`), so a French article whose "Notes" heading
and skip link were English would tell screen readers to read English words with French rules
(WCAG 2.2, 3.1.2 Language of Parts). The labels below exist for the languages we can vouch for;
for any other language the English labels are used, and the edition marks them `lang="en"`
where the markup allows it. The colophon's sentences stay English in every edition, marked so.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

FALLBACK = "en"


@dataclass(frozen=True)
class Labels:
    language: str
    originally_published: str
    cite_this: str
    notes: str
    back_to_note: str  # "{number}" is the note's number
    skip_to_article: str
    download_citation: str
    title_page: str
    contents: str
    landmarks: str
    bibliography: str
    colophon: str
    start_of_article: str
    edited_by: str  # before the editors' names on a course pack's title page
    preface: str
    native: bool = True  # False: English labels standing in for the article's language
    abstract: str = "Abstract"
    correspondence: str = "Correspondence:"  # before the corresponding authors' e-mail addresses
    own: frozenset[str] = frozenset()  # the labels the author worded (load/crossref_words.py HEADING_KEYS)

    @property
    def lang_attribute(self) -> str:
        """` lang="en"` on an element whose whole text is a label that fell back to English."""
        return "" if self.native else f' lang="{FALLBACK}"'

    def lang_of(self, name: str) -> str:
        """`lang_attribute` for the label `name`: none for a label the author worded, which is in
        the article's language whatever ours fell back to."""
        return "" if name in self.own else self.lang_attribute

    def with_own(self, words: dict[str, str]) -> "Labels":
        """These labels with the author's words in place of ours (`abstract`, `notes` …)."""
        return replace(self, **words, own=frozenset(words)) if words else self


LABELS = {
    "en": Labels("en", "Originally published in:", "Cite this article", "Notes", "Back to the text of note {number}",
                 "Skip to the article", "Download the citation:", "Title page", "Contents", "Landmarks", "Bibliography",
                 "Colophon", "Start of the article", "Edited by", "Preface"),
    "fr": Labels("fr", "Publié d’abord dans :", "Citer cet article", "Notes", "Retour au texte de la note {number}",
                 "Aller à l’article", "Télécharger la référence :", "Page de titre", "Table des matières", "Repères",
                 "Bibliographie", "Colophon", "Début de l’article", "Sous la direction de", "Préface", abstract="Résumé",
                 correspondence="Correspondance\u202f:"),
    "de": Labels("de", "Zuerst erschienen in:", "Diesen Artikel zitieren", "Anmerkungen", "Zurück zum Text der Anmerkung {number}",
                 "Zum Artikel springen", "Literaturangabe herunterladen:", "Titelseite", "Inhalt", "Orientierungspunkte",
                 "Literaturverzeichnis", "Impressum", "Beginn des Artikels", "Herausgegeben von", "Vorwort", abstract="Zusammenfassung",
                 correspondence="Korrespondenz:"),
    "es": Labels("es", "Publicado originalmente en:", "Cómo citar este artículo", "Notas", "Volver al texto de la nota {number}",
                 "Ir al artículo", "Descargar la referencia:", "Portada", "Índice", "Puntos de referencia", "Bibliografía",
                 "Colofón", "Inicio del artículo", "Edición de", "Prefacio", abstract="Resumen",
                 correspondence="Correspondencia:"),
    "it": Labels("it", "Pubblicato originariamente in:", "Come citare questo articolo", "Note", "Torna al testo della nota {number}",
                 "Vai all’articolo", "Scarica la citazione:", "Frontespizio", "Indice", "Punti di riferimento", "Bibliografia",
                 "Colophon", "Inizio dell’articolo", "A cura di", "Prefazione", abstract="Riassunto",
                 correspondence="Corrispondenza:"),
    "pt": Labels("pt", "Publicado originalmente em:", "Como citar este artigo", "Notas", "Voltar ao texto da nota {number}",
                 "Ir para o artigo", "Descarregar a referência:", "Página de rosto", "Sumário", "Pontos de referência",
                 "Bibliografia", "Cólofon", "Início do artigo", "Organização de", "Prefácio", abstract="Resumo",
                 correspondence="Correspondência:"),
    "nl": Labels("nl", "Oorspronkelijk verschenen in:", "Dit artikel citeren", "Noten", "Terug naar de tekst van noot {number}",
                 "Naar het artikel", "De bronvermelding downloaden:", "Titelpagina", "Inhoud", "Oriëntatiepunten",
                 "Bibliografie", "Colofon", "Begin van het artikel", "Onder redactie van", "Voorwoord", abstract="Samenvatting",
                 correspondence="Correspondentie:"),
    "ru": Labels("ru", "Впервые опубликовано в:", "Как цитировать статью", "Примечания", "Вернуться к тексту примечания {number}",
                 "Перейти к статье", "Скачать ссылку:", "Титульная страница", "Содержание", "Ориентиры", "Библиография",
                 "Выходные данные", "Начало статьи", "Под редакцией", "Предисловие", abstract="Аннотация",
                 correspondence="Для корреспонденции:"),
}


ENGLISH_STANDING_IN = replace(LABELS[FALLBACK], native=False)


@dataclass(frozen=True)
class ReferenceNames:
    """The words of numbered captions and cross-references ("Figure 1: …", "see Table 2"),
    which the resolve step's crossref filter writes into the text of every edition."""

    figure: str
    figures: str
    table: str
    tables: str
    equation: str
    equations: str
    section: str
    sections: str
    caption_separator: str  # between "Figure 1" and the caption's own words
    and_: str  # the last of several numbers: "Figures 1, 2 and 3"
    quote_open: str  # around a section's title, which stands for its number
    quote_close: str
    listing: str = "Listing"  # a numbered code block (pandoc-crossref's {#lst:x}, Quarto's {#lst-x})
    listings: str = "Listings"


NBSP = "\u00a0"
REFERENCE_NAMES = {
    "en": ReferenceNames("Figure", "Figures", "Table", "Tables", "Equation", "Equations", "Section", "Sections",
                         ": ", "and", "“", "”"),
    "fr": ReferenceNames("Figure", "Figures", "Tableau", "Tableaux", "Équation", "Équations", "Section", "Sections",
                         NBSP + ": ", "et", "«" + NBSP, NBSP + "»",
                         listing="Listing", listings="Listings"),
    "de": ReferenceNames("Abbildung", "Abbildungen", "Tabelle", "Tabellen", "Gleichung", "Gleichungen", "Abschnitt",
                         "Abschnitte", ": ", "und", "„", "“",
                         listing="Listing", listings="Listings"),
    "es": ReferenceNames("Figura", "Figuras", "Tabla", "Tablas", "Ecuación", "Ecuaciones", "Sección", "Secciones",
                         ": ", "y", "«", "»",
                         listing="Listado", listings="Listados"),
    "it": ReferenceNames("Figura", "Figure", "Tabella", "Tabelle", "Equazione", "Equazioni", "Sezione", "Sezioni",
                         ": ", "e", "«", "»",
                         listing="Listato", listings="Listati"),
    "pt": ReferenceNames("Figura", "Figuras", "Tabela", "Tabelas", "Equação", "Equações", "Secção", "Secções",
                         ": ", "e", "«", "»",
                         listing="Listagem", listings="Listagens"),
    "nl": ReferenceNames("Figuur", "Figuren", "Tabel", "Tabellen", "Vergelijking", "Vergelijkingen", "Paragraaf",
                         "Paragrafen", ": ", "en", "‘", "’",
                         listing="Listing", listings="Listings"),
    "ru": ReferenceNames("Рисунок", "Рисунки", "Таблица", "Таблицы", "Уравнение", "Уравнения", "Раздел", "Разделы",
                         ": ", "и", "«", "»",
                         listing="Листинг", listings="Листинги"),
}


# The kinds of Quarto's callouts, which caption a callout box that has no title of its own.
CALLOUT_NAMES = {
    "en": {"note": "Note", "tip": "Tip", "warning": "Warning", "caution": "Caution", "important": "Important"},
    "fr": {"note": "Remarque", "tip": "Astuce", "warning": "Avertissement", "caution": "Attention", "important": "Important"},
    "de": {"note": "Hinweis", "tip": "Tipp", "warning": "Warnung", "caution": "Vorsicht", "important": "Wichtig"},
    "es": {"note": "Nota", "tip": "Consejo", "warning": "Advertencia", "caution": "Precaución", "important": "Importante"},
    "it": {"note": "Nota", "tip": "Suggerimento", "warning": "Avvertenza", "caution": "Attenzione", "important": "Importante"},
    "pt": {"note": "Nota", "tip": "Dica", "warning": "Aviso", "caution": "Cuidado", "important": "Importante"},
    "nl": {"note": "Opmerking", "tip": "Tip", "warning": "Waarschuwing", "caution": "Let op", "important": "Belangrijk"},
    "ru": {"note": "Примечание", "tip": "Совет", "warning": "Предупреждение", "caution": "Осторожно", "important": "Важно"},
}


def _primary(tag: str | None) -> str:
    """The primary language of a BCP 47 tag ("fr" of "fr-CA"), which decides the labels."""
    return (tag or FALLBACK).split("-")[0].casefold()


def for_language(tag: str | None) -> Labels:
    """The labels for a BCP 47 tag, else English marked as such."""
    return LABELS.get(_primary(tag), ENGLISH_STANDING_IN)


def article_labels(metadata) -> Labels:
    """The labels of an article's editions: its language's, with the words its front matter sets
    for them (pandoc's `abstract-title`, Quarto's `language: section-title-footnotes` …). The
    builders and the checker that reads the PDF back both take them from here."""
    return for_language(metadata.lang).with_own(metadata.reference_words.headings)


def reference_names(tag: str | None) -> tuple[ReferenceNames, bool]:
    """The caption and cross-reference words for a BCP 47 tag, and whether they are the article's
    own language (False: English standing in, to be marked lang="en")."""
    names = REFERENCE_NAMES.get(_primary(tag))
    return (names, True) if names else (REFERENCE_NAMES[FALLBACK], False)


def callout_names(tag: str | None) -> tuple[dict[str, str], bool]:
    """The words for the kinds of callout in a BCP 47 tag's language, and whether they are its own
    (False: English standing in, to be marked lang="en")."""
    names = CALLOUT_NAMES.get(_primary(tag))
    return (names, True) if names else (CALLOUT_NAMES[FALLBACK], False)


def lang_attribute_for_english(tag: str | None) -> str:
    """` lang="en"` for English sentences inside an article in another language."""
    return "" if _primary(tag) == FALLBACK else f' lang="{FALLBACK}"'
