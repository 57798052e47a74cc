"""Pages for the applicant (issue 4, in progress)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
