"""Planning to a horizon: which options (options.csv) to commission in which year, what each portfolio of them
gains in a normal year and in risk, what it costs, the cost–loss frontier and a pathway (crudeflow plan)."""
