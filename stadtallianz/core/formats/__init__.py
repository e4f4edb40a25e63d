"""The site's date and number formats per language (settings.FORMAT_MODULE_PATH).

Django's own English formats are American ("Dec. 12, 2026", "12/12/2026"); the alliance writes
English dates unambiguously, day before month ("12 December 2026", "12 Dec 2026") and times on
the 24-hour clock. German keeps Django's formats, with "Uhr" after a time of day.
"""
