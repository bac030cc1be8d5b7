"""Registration of NGSI-LD subscriptions: the API, the tables and the notifier job."""

from citybase.context.subscriptions import changes
from citybase.context.subscriptions.api import router
from citybase.context.subscriptions.notifier import run_notifier
from citybase.core.registry import Job, Module

changes.install()

module = Module(
    name="context_subscriptions",
    label="Context broker subscriptions",
    package="citybase.context.subscriptions",
    models=("citybase.context.subscriptions.models",),
    routers=(router,),
    # Due on every worker tick: notification latency is the tick of `citybase worker` (default 5 s).
    jobs=(Job("context.notifications", 0.0, run_notifier),),
    order=22,
)
