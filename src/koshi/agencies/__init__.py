"""Private employment agencies as pure rules: the status lifecycle, the rule that job seekers pay nothing,
report deadlines and the risk score that ranks inspections (the records live in :mod:`koshi.store.agencies`)."""
