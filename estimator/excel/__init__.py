"""Excel in and out: `reader` imports deliverables, `quote` exports the quote workbook."""
