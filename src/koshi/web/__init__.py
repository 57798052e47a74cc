"""Server-rendered web pages (Jinja2 + GOV.UK Frontend, rebranded) in Kazakh, Russian and English."""
