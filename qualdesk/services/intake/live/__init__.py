"""Live intake: ``qualdesk intake serve`` and the services behind it (sources, signed
deliveries, activity and the hand-raise rules). See docs/intake.md."""
