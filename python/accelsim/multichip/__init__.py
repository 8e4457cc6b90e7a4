"""More than one die or chip: the flow-level network, collectives, chiplet packages, parallel decode."""
