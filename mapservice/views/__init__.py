"""What pages show, as plain data: maps, site pages, materials, the board, charts, presenter."""
