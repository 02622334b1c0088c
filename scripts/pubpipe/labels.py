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

    @property
    def lang_attribute(self) -> str:
        """` lang="en"` on an element whose whole text is a label that fell back to English."""
        return "" if self.native else f' lang="{FALLBACK}"'


LABELS = {
    "en": Labels("en", "Originally published in:", "Cite this article", "Notes", "Back to the text of note {number}",
                 "Skip to the article", "Download the citation:", "Title page", "Contents", "Landmarks", "Bibliography",
                 "Colophon", "Start of the article", "Edited by", "Preface"),
    "fr": Labels("fr", "Publié d’abord dans :", "Citer cet article", "Notes", "Retour au texte de la note {number}",
                 "Aller à l’article", "Télécharger la référence :", "Page de titre", "Table des matières", "Repères",
                 "Bibliographie", "Colophon", "Début de l’article", "Sous la direction de", "Préface", abstract="Résumé"),
    "de": Labels("de", "Zuerst erschienen in:", "Diesen Artikel zitieren", "Anmerkungen", "Zurück zum Text der Anmerkung {number}",
                 "Zum Artikel springen", "Literaturangabe herunterladen:", "Titelseite", "Inhalt", "Orientierungspunkte",
                 "Literaturverzeichnis", "Impressum", "Beginn des Artikels", "Herausgegeben von", "Vorwort", abstract="Zusammenfassung"),
    "es": Labels("es", "Publicado originalmente en:", "Cómo citar este artículo", "Notas", "Volver al texto de la nota {number}",
                 "Ir al artículo", "Descargar la referencia:", "Portada", "Índice", "Puntos de referencia", "Bibliografía",
                 "Colofón", "Inicio del artículo", "Edición de", "Prefacio", abstract="Resumen"),
    "it": Labels("it", "Pubblicato originariamente in:", "Come citare questo articolo", "Note", "Torna al testo della nota {number}",
                 "Vai all’articolo", "Scarica la citazione:", "Frontespizio", "Indice", "Punti di riferimento", "Bibliografia",
                 "Colophon", "Inizio dell’articolo", "A cura di", "Prefazione", abstract="Riassunto"),
    "pt": Labels("pt", "Publicado originalmente em:", "Como citar este artigo", "Notas", "Voltar ao texto da nota {number}",
                 "Ir para o artigo", "Descarregar a referência:", "Página de rosto", "Sumário", "Pontos de referência",
                 "Bibliografia", "Cólofon", "Início do artigo", "Organização de", "Prefácio", abstract="Resumo"),
    "nl": Labels("nl", "Oorspronkelijk verschenen in:", "Dit artikel citeren", "Noten", "Terug naar de tekst van noot {number}",
                 "Naar het artikel", "De bronvermelding downloaden:", "Titelpagina", "Inhoud", "Oriëntatiepunten",
                 "Bibliografie", "Colofon", "Begin van het artikel", "Onder redactie van", "Voorwoord", abstract="Samenvatting"),
    "ru": Labels("ru", "Впервые опубликовано в:", "Как цитировать статью", "Примечания", "Вернуться к тексту примечания {number}",
                 "Перейти к статье", "Скачать ссылку:", "Титульная страница", "Содержание", "Ориентиры", "Библиография",
                 "Выходные данные", "Начало статьи", "Под редакцией", "Предисловие", abstract="Аннотация"),
}


ENGLISH_STANDING_IN = replace(LABELS[FALLBACK], native=False)


def _primary(tag: str | None) -> str:
    """The primary language of a BCP 47 tag ("fr" of "fr-CA"), which decides the labels."""
    return (tag or FALLBACK).split("-")[0].casefold()


def for_language(tag: str | None) -> Labels:
    """The labels for a BCP 47 tag, else English marked as such."""
    return LABELS.get(_primary(tag), ENGLISH_STANDING_IN)


def lang_attribute_for_english(tag: str | None) -> str:
    """` lang="en"` for English sentences inside an article in another language."""
    return "" if _primary(tag) == FALLBACK else f' lang="{FALLBACK}"'
