"""The letter: what is printed, the PDF, the render cache, delivery and the staff CSV export."""
