"""Results people share (#17): the field awards a contest declares, past rounds imported from published totals,
and the feedback per criterion released to each entrant. No Streamlit."""
