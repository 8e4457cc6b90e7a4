"""The work: kernels (and how each lowers onto a machine) and the decode step a model expands into."""
