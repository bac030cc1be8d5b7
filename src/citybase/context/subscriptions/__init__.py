"""NGSI-LD subscriptions: storage, the /subscriptions API and notification delivery by the worker."""
