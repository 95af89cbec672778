"""The LP kit every engine stands on: the program wrapper over HiGHS and how a solve ended (`program`),
infeasibility explained in words (`explain`), and a year's inputs resolved from the dataset (`inputs`).
The annual dispatch (dispatch/) and the daily simulation (simulate/) state their constraint families on it."""
