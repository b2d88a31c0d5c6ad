"""The chat's rules, by code and in both languages: reading a request (`reading`), turning it into
proposals (`proposals`), checking every proposal against what was asked (`check`), asking when unsure
(`clarify`) and answering questions from the estimate (`answers`)."""
