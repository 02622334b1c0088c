"""The load step: the article folder, its front matter and bibliography, and the content policy."""
