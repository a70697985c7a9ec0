"""Notifications: the in-app inbox, e-mail and 企业微信/钉钉 group-robot webhooks.

``services.notify`` is the one way a message is sent: it writes one ``Notification`` per
recipient (the inbox) and one ``Delivery`` per outside channel, in the caller's
transaction; Celery tasks (``tasks.deliver``) send the deliveries after the commit, with
retries, and a delivery that still fails is kept as ``failed`` for the managers to see and
retry (``/notifications/``). ``due`` runs the daily deadline checks; other apps register
their own (``due.register``)."""
