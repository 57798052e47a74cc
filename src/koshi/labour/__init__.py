"""Foreign labour: work-permit rules (fees, quota, local content, terms) as pure functions over dated parameters."""
