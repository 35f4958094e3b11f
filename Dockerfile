FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /srv/transfo
# pg_dump and pg_restore for `manage.py backup` / `restore` (same major version as the database).
RUN apt-get update && apt-get install -y --no-install-recommends postgresql-client && rm -rf /var/lib/apt/lists/*
COPY pyproject.toml README.md ./
RUN pip install --no-cache-dir -e .
COPY . .
RUN pybabel compile --domain=django --directory=locale \
 && DJANGO_SETTINGS_MODULE=transfo.settings.production DJANGO_SECRET_KEY=build-only-key-not-used-at-run-time-0123456789abcdefghij \
    DJANGO_ALLOWED_HOSTS=build DATABASE_URL=sqlite:////tmp/build.sqlite3 REDIS_URL=redis://build:6379/0 \
    python manage.py collectstatic --no-input
RUN useradd --system transfo && mkdir -p /srv/media && chown transfo /srv/media
USER transfo
EXPOSE 8000
