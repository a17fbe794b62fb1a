"""Demo: placeholder until jobs land."""
