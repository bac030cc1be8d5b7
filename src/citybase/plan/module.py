"""The plan module's registration (routers, CLI and navigation are added as they are built)."""

from citybase.core.registry import Module

module = Module(
    name="plan",
    label="Action plan",
    package="citybase.plan",
    models=("citybase.plan.models",),
    order=10,
)
