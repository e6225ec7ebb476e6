"""The answer page (issue 15): a Starlette application served by uvicorn."""
