//! Token and context-header extraction (SPEC §2.1–§2.2).
