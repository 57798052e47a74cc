"""Internal migration: kandas and resettlers moving to labour-deficit regions under the yearly quota.

Pure rules over dated parameters (``policy``), the eligibility checks, the support plan, the
follow-up calendar and the family-to-vacancy matching; the store and the adapters sit elsewhere.
"""
