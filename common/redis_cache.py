"""A Redis cache that degrades to "always a miss" while Redis is unreachable.

Django's RedisCache raises on a connection error, which turns login (rate-limit
counters, cached sessions) into a 500 during a Redis outage (measured, STACK.md).
Everything we cache can be recomputed, so an outage only costs speed.
"""
import logging

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger("common.redis_cache")

REDIS_DOWN = (RedisConnectionError, RedisTimeoutError, OSError)


def _degrade(method_name, fallback):
    def call(self, *args, **kwargs):
        try:
            return getattr(super(ResilientRedisCacheClient, self), method_name)(*args, **kwargs)
        except REDIS_DOWN as error:
            logger.warning("Redis unreachable, cache %s skipped: %s", method_name, error)
            return fallback(*args, **kwargs)

    call.__name__ = method_name
    return call


class ResilientRedisCacheClient(RedisCacheClient):
    # "Stored": locks taken with add() (allauth's rate limits) must not refuse everyone
    # during an outage; failing open costs a little protection for a little while.
    add = _degrade("add", lambda key, value, timeout: True)
    get = _degrade("get", lambda key, default: default)
    set = _degrade("set", lambda key, value, timeout: None)
    touch = _degrade("touch", lambda key, timeout: False)
    delete = _degrade("delete", lambda key: False)
    get_many = _degrade("get_many", lambda keys: {})
    has_key = _degrade("has_key", lambda key: False)
    set_many = _degrade("set_many", lambda data, timeout: [])
    delete_many = _degrade("delete_many", lambda keys: None)
    clear = _degrade("clear", lambda: False)

    def incr(self, key, delta):
        try:
            return super().incr(key, delta)
        except REDIS_DOWN as error:
            # Callers treat a missing key as "start counting again".
            logger.warning("Redis unreachable, cache incr skipped: %s", error)
            raise ValueError(f"Key '{key}' not found (Redis unreachable).") from error


class ResilientRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ResilientRedisCacheClient
