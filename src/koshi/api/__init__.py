"""HTTP API: FastAPI application, authentication, roles and problem+json errors."""
