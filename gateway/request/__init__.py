"""One GraphQL request: its context, and the decisions the access rules make in it."""
