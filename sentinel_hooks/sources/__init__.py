"""Sources of text: files on disk (full scans) and git diffs (incremental scans)."""
