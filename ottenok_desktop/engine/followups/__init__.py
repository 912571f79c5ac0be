"""Follow-ups («дожим»): pure rules for when to nudge a silent customer and with what words.

`rules` decides due times and what to do with a pending nudge, `classify` tells a
"think about it" reply and an opt-out from a real answer, `wording` picks the text.
Nothing here touches the database or the clock: callers pass facts and `now` in.
"""
