"""Assessment of plan supervision: unit scorecards and ranking (赛马), the Excel ledger and the Word bulletin."""
