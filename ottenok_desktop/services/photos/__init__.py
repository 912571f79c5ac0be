"""Product photos: a source protocol, the local folder and Google Drive sources, selection rules."""
