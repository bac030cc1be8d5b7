"""City identifiers and the NGSI-LD context broker (城市标识 + 实体上下文)."""
