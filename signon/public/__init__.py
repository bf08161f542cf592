"""What the public reads: counts, the signatory list, the tile map and the sharing card."""
