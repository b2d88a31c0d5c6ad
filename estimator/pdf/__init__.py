"""PDF documents: the 見積書 as the client receives it."""
