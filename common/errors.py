"""Error reporting to Sentry (or a service speaking its protocol), started by the settings when SENTRY_DSN is set.

No personal data leaves: no cookies, headers, user e-mail, address or request body
(``send_default_pii=False``), and the event's user is cut down to its id. The release is the
installed version, so that an error is tied to what was deployed.
"""
from importlib.metadata import PackageNotFoundError, version


def installed_release():
    try:
        return f"transfo@{version('transfo')}"
    except PackageNotFoundError:
        return "transfo@unknown"


def _only_user_id(event, _hint):
    user = event.get("user")
    if user:
        event["user"] = {key: value for key, value in user.items() if key == "id"}
    return event


def start_error_reporting(dsn, *, environment="production"):
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration
    from sentry_sdk.integrations.redis import RedisIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=installed_release(),
        integrations=[DjangoIntegration(), CeleryIntegration(), RedisIntegration()],
        send_default_pii=False,
        before_send=_only_user_id,
    )
