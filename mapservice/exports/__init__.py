"""The exported layers: what they hold, how they are read, and the files they are written to."""
