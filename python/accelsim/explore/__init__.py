"""Design-space exploration: sweeps, their specs and executors, checkpoints, cost and carbon."""
