"""SECURITY.md cases 1–34, one `test_sec_<N>_…` per case (docs/security.md maps them)."""
