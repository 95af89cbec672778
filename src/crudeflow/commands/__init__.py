"""The subcommands of `crudeflow` (registered by crudeflow.cli): the top layer, thin over the front door
(crudeflow.api.Dataset). Nothing below imports them."""
