#!/usr/bin/env bash
# Regenerate the initial migration from the models. Only while nothing has been deployed:
# the schema is still one migration (0001_initial). After the first release, add migrations
# with `flask db migrate` instead.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
rm -f migrations/versions/0001_initial_schema.py
TRACKER_CONFIG=development SCHEDULER_ENABLED=0 DATABASE_URL="sqlite:///$tmp/gen.db" \
  .venv/bin/flask --app wsgi db migrate -m "initial schema" >/dev/null
generated=$(ls migrations/versions/*_initial_schema.py)
rev=$(basename "$generated" | cut -d_ -f1)
sed -i "s/$rev/0001_initial/g" "$generated"
mv "$generated" migrations/versions/0001_initial_schema.py
rm -rf "$tmp"
echo "regenerated migrations/versions/0001_initial_schema.py"
