"""Write-path tests reuse the review fixtures (real database, real app, complete files)."""

from tests.review.conftest import *  # noqa: F401,F403
