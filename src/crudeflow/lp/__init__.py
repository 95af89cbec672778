"""The LP kit every engine stands on: the program wrapper over HiGHS and how a solve ended (`program`), the one
set of constraint families over (link, grade, day) with its annual and daily cases (`formulation`),
infeasibility explained in words (`explain`), and a year's inputs resolved from the dataset (`inputs`)."""
