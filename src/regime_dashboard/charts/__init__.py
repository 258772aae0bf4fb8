"""Pure Plotly figure builders: DataFrame in, Figure out, never a query."""
