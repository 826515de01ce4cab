"""Dutch retrieval-augmented assistant over education-equity documents."""
