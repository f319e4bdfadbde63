"""The rollout optimization model: variables, rules, objective, backends."""
