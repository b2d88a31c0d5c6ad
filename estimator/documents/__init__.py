"""Documents a client sends (an RFP): their text, read safely (`extract`), and the deliverables they name
(`proposal`, the offline rules; the OpenAI engine proposes from the same text)."""
