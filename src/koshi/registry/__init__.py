"""The registry of foreign citizens: feeds, travel documents, stays and overstays.

``schema`` names the columns of each feed; ``feeds`` validates them (pure);
``stay`` holds the stay rules per person (pure, the reference); ``stay_sql`` the
same rules in DuckDB SQL for everyone at once; the database side lives in
``koshi.store.registry``.
"""
