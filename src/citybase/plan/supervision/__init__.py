"""Plan supervision (督查督办): reporting periods, progress reports, status lights,
supervision notices, reminders, extensions and live indicator values."""
