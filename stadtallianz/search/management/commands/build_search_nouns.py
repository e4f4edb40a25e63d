"""Writes stadtallianz/search/data/nouns.txt.gz, the noun list the compound splitter reads
(search/compounds.py), from the package `german-nouns` (a development dependency: the written
file ships with the code, so a running platform neither needs the package nor reads its 20 MB
table)."""

import csv
import gzip

from django.core.management.base import BaseCommand

from stadtallianz.search.compounds import MIN_PART, NOUNS_PATH

# Columns of declined forms the list keeps (all cases, singular and plural); not the strong,
# weak and mixed forms of nominalised adjectives.
SKIPPED = ("stark", "schwach", "gemischt")


class Command(BaseCommand):
    help = "Writes the noun list of the compound splitter from the package german-nouns."

    def handle(self, *args, **options):
        from german_nouns.config import CSV_FILE_PATH

        forms = set()
        with open(CSV_FILE_PATH, encoding="utf-8", newline="") as file:
            rows = csv.reader(file)
            header = next(rows)
            columns = [index for index, name in enumerate(header)
                       if index >= 7 and not name.endswith(SKIPPED)]
            for row in rows:
                if "Substantiv" not in row[1] or not row[0].isalpha():
                    continue
                for word in [row[0], *[row[i] for i in columns if i < len(row)]]:
                    if len(word) >= MIN_PART and word.isalpha():
                        forms.add(word.lower())
        with gzip.open(NOUNS_PATH, "wt", encoding="utf-8", compresslevel=9) as out:
            out.write("# German nouns and their declined forms, lower-cased, from the German\n"
                      "# Wiktionary through the package german-nouns 1.2.5 (CC BY-SA 4.0,\n"
                      "# https://github.com/gambolputty/german-nouns). Written by\n"
                      "# `stadtallianz build_search_nouns`.\n")
            out.writelines(f"{word}\n" for word in sorted(forms))
        self.stdout.write(f"{len(forms)} forms written to {NOUNS_PATH}")
