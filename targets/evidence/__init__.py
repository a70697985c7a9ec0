"""Evidence files (证明材料): photos and documents attached to a problem, a milestone or any
other thing a model registers (``registry.register``). Checked by content, re-encoded,
stored through Django's storage API, served only to users who may see their owner."""
