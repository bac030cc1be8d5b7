"""The action plan as data (行动方案督办): tasks, indicators, units, supervision, exports."""
