"""Read articles: the news feed's plain text, JSON Lines, HTML pages, directories and stdin."""
