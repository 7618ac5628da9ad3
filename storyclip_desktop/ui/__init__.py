"""What the user sees: Qt only, never httpx."""
