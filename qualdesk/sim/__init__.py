"""The speed-to-lead simulator: a working day of hand raises worked by N reps through the
real queue-order function (``qualdesk.domain.priority.rank``), reported with the real SLA
buckets (``qualdesk.domain.sla.sla_report``). Pure: no database, no wall clock."""
