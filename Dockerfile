# Two stages: the dependencies are built in the first, the second holds only what runs.
FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
COPY pyproject.toml README.md /src/
# The project installs no package of its own (the apps are read from the working folder):
# this stage is only its pinned dependencies, rebuilt when pyproject.toml changes.
RUN /opt/venv/bin/pip install /src

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PATH=/opt/venv/bin:$PATH \
    DJANGO_SETTINGS_MODULE=transfo.settings.production DJANGO_MEDIA_ROOT=/srv/media
# pg_dump and pg_restore for `manage.py backup` / `restore` (same major version as the database).
RUN apt-get update && apt-get install -y --no-install-recommends postgresql-client && rm -rf /var/lib/apt/lists/* \
 && useradd --system --home-dir /srv/transfo transfo
COPY --from=build /opt/venv /opt/venv
WORKDIR /srv/transfo
COPY . .
RUN pybabel compile --domain=django --directory=locale \
 && DJANGO_SECRET_KEY=build-only-key-not-used-at-run-time-0123456789abcdefghij \
    DJANGO_ALLOWED_HOSTS=build DATABASE_URL=sqlite:////tmp/build.sqlite3 REDIS_URL=redis://build:6379/0 \
    python manage.py collectstatic --no-input \
 && mkdir -p /srv/media && chown transfo /srv/media
# Never root at run time: the code and the collected static files stay read-only to the app.
USER transfo
EXPOSE 8000
# Ready means: database reached with no migration pending, cache, broker and storage answer (common.health).
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 \
  CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/sante/', timeout=5)"]
CMD ["gunicorn", "transfo.wsgi", "--bind", "0.0.0.0:8000", "--workers", "2", "--timeout", "30", "--access-logfile", "-"]
