"""The screens of the interface: they show and ask; services decide."""
