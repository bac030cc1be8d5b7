"""The NGSI-LD temporal API over the broker's attribute-instance history."""
